-- auth-service schema, version 4: what the browser flows need (../shared/CONTRACT.md, "Users in
-- the browser"): redirect URIs and the first-party flag on clients, and remembered consent.
-- Login sessions and authorization codes are short-lived and live in Redis, not here.

-- Registered redirect URIs (RFC 6749 §3.1.2), compared exactly (RFC 8252 §7.3's loopback port
-- rule aside). Required by authctl for the authorization_code grant.
alter table oauth_clients add column redirect_uris text[] not null default array[]::text[];
-- --first-party: the consent page is skipped (Passport's skipsAuthorization) and its tokens may
-- use the first-party-only routes. The password and personal access clients are first-party by
-- their own flags.
alter table oauth_clients add column first_party boolean not null default false;
-- The public client `authctl install` makes for the playground's authorization code panel.
alter table oauth_clients add column playground_client boolean not null default false;
create index oauth_clients_playground_idx on oauth_clients (created_at) where playground_client and not revoked;

-- Remembered consent: the scopes a user approved for a client. A later request for the same or
-- fewer scopes skips the consent page (unless prompt=consent). Approving more scopes later
-- widens the record; DELETE /oauth/authorized-clients/{id} removes it.
create table oauth_consents (
  user_id    uuid        not null references users (id) on delete cascade,
  client_id  uuid        not null references oauth_clients (id) on delete cascade,
  scopes     text[]      not null,
  granted_at timestamptz not null default now(),
  primary key (user_id, client_id)
);
create index oauth_consents_client_idx on oauth_consents (client_id);
