-- Posts of the resource service. id is a bigint identity: compact, and with created_at it gives
-- the total order (created_at desc, id desc) that keyset pagination walks.
CREATE TABLE posts (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  title            text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
  body             text NOT NULL CHECK (octet_length(body) <= 65536),
  author_sub       text NOT NULL,
  author_client_id text NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now()
);

-- Newest first: GET /api/posts scans this backwards, row comparison (created_at, id) < cursor.
CREATE INDEX posts_created_at_id ON posts (created_at, id);
