-- Fingerprint of the key that encrypted each row's credentials, so key rotation finds the rows still to re-encrypt.
alter table external_agent add column credentials_key varchar(16);
alter table external_agent add column deleted_at timestamptz;
create index external_agent_credentials_key on external_agent (credentials_key);
