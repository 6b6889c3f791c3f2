-- auth-service schema, version 3: the durable record of revocations that are not personal
-- access tokens (those have personal_access_tokens.revoked_at). Redis holds the live list
-- (common/revocation/protocol.hpp); this table is what survives the loss of Redis data, and
-- every resource service merges it into its list at each load.
--
-- member: a protocol member, e.g. a cutoff "sub:<T>:<user id>" (every token of a deleted user
-- issued at or before T) or "cli:<T>:<client id>" (a revoked client). No foreign key: the
-- user it names is gone. expires_at: unix seconds after which every token it covers has
-- expired (`authctl purge` then removes it).

create table revocations (
  member     text   primary key check (char_length(member) between 1 and 128),
  expires_at bigint not null
);
create index revocations_expires_idx on revocations (expires_at);
