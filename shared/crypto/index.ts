// The vault crypto of DESIGN §4: passphrase → Argon2id → master key → identity and vault keys → sealed records.

export * from './bytes';
export * from './calibrate';
export * from './errors';
export * from './kdf';
export * from './profile-keys';
export * from './seal';
export * from './subkey';
