/**
 * A real SMTP server on loopback that keeps every message it accepts, parsed: tests send through
 * nodemailer to it instead of mocking the transport. Logins are accepted for one user/password;
 * a refused one is answered with the credentials it was sent.
 */
import { simpleParser, type ParsedMail } from "mailparser";
import { SMTPServer } from "smtp-server";

export const SINK_USER = "catalyst";
export const SINK_PASSWORD = "s1nk-p@ss/word";

export interface SmtpSink {
  port: number;
  /** smtp://user:password@127.0.0.1:port, ready for SMTP_URL (password URL-encoded). */
  url: string;
  messages: ParsedMail[];
  stop(): Promise<void>;
}

/** Listens on `port` (default: a free one). */
export async function startSmtpSink(port = 0): Promise<SmtpSink> {
  const messages: ParsedMail[] = [];
  const server = new SMTPServer({
    // Plain SMTP on loopback: no certificate to trust, so no STARTTLS offer.
    disabledCommands: ["STARTTLS"],
    allowInsecureAuth: true,
    authOptional: false,
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === SINK_USER && auth.password === SINK_PASSWORD) callback(null, { user: SINK_USER });
      // Echoes what it was sent, as a careless server might: the mailer must still not show it.
      else callback(new Error(`Invalid username or password (${auth.username}:${auth.password})`));
    },
    onData(stream, _session, callback) {
      simpleParser(stream).then(
        (mail) => {
          messages.push(mail);
          callback();
        },
        (error: Error) => callback(error),
      );
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  const bound = (server.server.address() as { port: number }).port;
  return {
    port: bound,
    url: `smtp://${SINK_USER}:${encodeURIComponent(SINK_PASSWORD)}@127.0.0.1:${bound}`,
    messages,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
