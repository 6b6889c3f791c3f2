-- auth-service schema, version 1: users and OAuth clients.
-- Applied by `authctl migrate` (pg::migrate, component "auth"), each file once, in order.
-- Refresh tokens and throttling counters live in Redis, not here. Personal access
-- tokens (a later migration) will get their own table referencing users and clients.

create table users (
  id            uuid        primary key default gen_random_uuid(),
  email         text        not null check (length(email) between 3 and 320),
  name          text        not null default '',
  -- Argon2id ($argon2id$…) or a bcrypt hash imported from Laravel ($2y$…).
  password_hash text        not null,
  -- The scopes this user may be granted.
  scopes        text[]      not null default array['read-posts', 'write-posts']::text[],
  created_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now()
);
-- E-mail addresses are unique regardless of case; lookups use lower(email) too.
create unique index users_email_lower_key on users (lower(email));

create table oauth_clients (
  id                     uuid        primary key default gen_random_uuid(),
  name                   text        not null check (length(name) between 1 and 255),
  -- "hmac-sha256$<salt>$<mac>"; NULL for a public client.
  secret_hash            text,
  grants                 text[]      not null,
  -- NULL: the client may request any defined scope.
  scopes                 text[],
  password_client        boolean     not null default false,
  personal_access_client boolean     not null default false,
  revoked                boolean     not null default false,
  revoked_at             timestamptz,
  created_at             timestamptz not null default now(),
  updated_at             timestamptz not null default now(),
  constraint oauth_clients_revoked_at check (revoked = (revoked_at is not null))
);
-- `authctl install` looks up its two clients by flag; `purge` scans revoked ones.
create index oauth_clients_password_idx on oauth_clients (created_at) where password_client and not revoked;
create index oauth_clients_personal_access_idx on oauth_clients (created_at) where personal_access_client and not revoked;
create index oauth_clients_revoked_idx on oauth_clients (revoked_at) where revoked;
