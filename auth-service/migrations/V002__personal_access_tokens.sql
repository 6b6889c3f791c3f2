-- auth-service schema, version 2: personal access tokens (Passport's createToken).
-- A personal access token is a JWT access token issued to the personal access client made by
-- `authctl install`; this table is its record: id = the token's jti. The token string itself
-- is never stored (it is shown once, at creation).

create table personal_access_tokens (
  id         uuid        primary key,  -- the token's jti
  user_id    uuid        not null references users (id) on delete cascade,
  client_id  uuid        not null references oauth_clients (id) on delete cascade,
  name       text        not null check (char_length(name) between 1 and 191),
  scopes     text[]      not null default array[]::text[],
  created_at timestamptz not null,     -- the token's iat
  expires_at timestamptz not null,     -- the token's exp
  revoked_at timestamptz,
  constraint personal_access_tokens_lifetime check (expires_at > created_at)
);
-- GET /oauth/personal-access-tokens lists one user's live tokens, newest first.
create index personal_access_tokens_user_idx on personal_access_tokens (user_id, created_at desc);
-- `authctl purge` removes expired tokens (revoked or not).
create index personal_access_tokens_expires_idx on personal_access_tokens (expires_at);
