import pkg from "../package.json" with { type: "json" };

export const VERSION: string = pkg.version;

// Replaced by scripts/build.ts (Bun.build `define`) with the commit the release binary was built from.
declare const CATALYST_BUILD_COMMIT: string | undefined;

/** The git commit of a release binary ("-dirty" if built with uncommitted changes); "source" when run by bun from the tree. */
export const COMMIT: string = typeof CATALYST_BUILD_COMMIT === "string" ? CATALYST_BUILD_COMMIT : "source";
