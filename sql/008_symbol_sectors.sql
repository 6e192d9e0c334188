-- 008_symbol_sectors: each ticker's sector, as a source gave it: the simulated venue's universe
-- (sim mode) or the trader's file (`catalyst sectors import FILE.csv`). securities.sector_id
-- follows it, however and whenever the securities row is created, so the sector limit sees it.

CREATE TABLE symbol_sectors (
  symbol     TEXT PRIMARY KEY,
  sector_id  BIGINT NOT NULL REFERENCES sectors (sector_id),
  source     TEXT NOT NULL,
  loaded_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  CONSTRAINT symbol_sectors_symbol_format CHECK (symbol ~ '^[A-Z0-9][A-Z0-9./-]{0,19}$'),
  -- venue: the sim venue's universe; import: the trader's file, which the venue never overwrites
  CONSTRAINT symbol_sectors_source_check CHECK (source IN ('venue', 'import'))
);

-- A loaded sector reaches the securities row that exists already.
CREATE FUNCTION symbol_sector_to_security() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE securities SET sector_id = NEW.sector_id
   WHERE symbol = NEW.symbol AND sector_id IS DISTINCT FROM NEW.sector_id;
  RETURN NULL;
END
$$;
CREATE TRIGGER symbol_sectors_to_securities AFTER INSERT OR UPDATE ON symbol_sectors
  FOR EACH ROW EXECUTE FUNCTION symbol_sector_to_security();

-- ...and a securities row created later takes it at creation (every path creates through here).
CREATE OR REPLACE FUNCTION get_or_create_security(p_symbol TEXT) RETURNS BIGINT
LANGUAGE sql AS $$
  INSERT INTO securities (symbol, sector_id)
  SELECT upper(btrim(p_symbol)), (SELECT sector_id FROM symbol_sectors WHERE symbol = upper(btrim(p_symbol)))
  ON CONFLICT (symbol) DO UPDATE SET symbol = EXCLUDED.symbol
  RETURNING security_id
$$;
