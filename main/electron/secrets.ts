/**
 * Things worth keeping between sessions that may hold secrets — the plan being edited can carry SNMP communities
 * and v3 passwords for the PDU and the switch — stored only encrypted by the OS (Electron's safeStorage: DPAPI on
 * Windows, the keychain on macOS, libsecret/kwallet on Linux). Where the OS offers no real key store, nothing is
 * kept rather than keeping it readable.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** The part of Electron's safeStorage used here. */
export interface Encryptor {
  isEncryptionAvailable(): boolean;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
  getSelectedStorageBackend?(): string;
}

const NAME = /^[a-z][a-z0-9-]{0,63}$/;

export class SecretStore {
  constructor(
    private readonly file: string,
    private readonly encryptor: Encryptor,
    private readonly platform: NodeJS.Platform = process.platform,
  ) {}

  /** Whether secrets can be kept here at all (on Linux, "basic_text" is a fixed key: as good as none). */
  available(): boolean {
    if (!this.encryptor.isEncryptionAvailable()) return false;
    if (this.platform === 'linux') {
      const backend = this.encryptor.getSelectedStorageBackend?.();
      return backend !== undefined && backend !== 'basic_text' && backend !== 'unknown';
    }
    return true;
  }

  async get(name: string): Promise<string | undefined> {
    checkName(name);
    if (!this.available()) return undefined;
    const encrypted = (await this.read())[name];
    if (!encrypted) return undefined;
    try {
      return this.encryptor.decryptString(Buffer.from(encrypted, 'base64'));
    } catch {
      // Encrypted under another user or key store: as good as absent.
      return undefined;
    }
  }

  /** Keeps a value; returns false (and keeps nothing) where no OS key store is available. */
  async set(name: string, value: string): Promise<boolean> {
    checkName(name);
    if (!this.available()) return false;
    const all = await this.read();
    all[name] = this.encryptor.encryptString(value).toString('base64');
    await this.write(all);
    return true;
  }

  async delete(name: string): Promise<void> {
    checkName(name);
    const all = await this.read();
    if (!(name in all)) return;
    delete all[name];
    await this.write(all);
  }

  private async read(): Promise<Record<string, string>> {
    try {
      const parsed = JSON.parse(await readFile(this.file, 'utf8')) as unknown;
      return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, string>) : {};
    } catch {
      return {};
    }
  }

  private async write(all: Record<string, string>): Promise<void> {
    await mkdir(dirname(this.file), { recursive: true, mode: 0o700 });
    const temp = `${this.file}.tmp-${process.pid}`;
    await writeFile(temp, `${JSON.stringify(all)}\n`, { mode: 0o600 });
    await rename(temp, this.file);
  }
}

function checkName(name: string): void {
  if (!NAME.test(name)) throw new Error(`secret name ${JSON.stringify(name)}: use lower-case letters, digits and -`);
}
