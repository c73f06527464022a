-- pipit cluster mode (issue #15): PostgreSQL is the system of record of every node.
-- Applied once by ClusterSchema at start, in one transaction, recorded in pipit_schema.

-- The ordered change log. Writers take one transaction-level advisory lock before appending, so
-- sequences become visible in commit order and a tailer reading "sequence > applied" never skips a
-- row that commits later with a smaller sequence.
CREATE TABLE pipit_changes (
  sequence     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  op           text NOT NULL CHECK (op IN ('upsert', 'delete', 'activate')),
  id           text,
  shard        integer,            -- NULL: every shard (model activations)
  payload      jsonb NOT NULL DEFAULT '{}'::jsonb,
  committed_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX pipit_changes_shard_sequence ON pipit_changes (shard, sequence);

-- The current items, one row per (id, model): during a model switch the new model's codes are
-- written next to the old ones and become the served ones at the activation's sequence.
CREATE TABLE pipit_items (
  id        text    NOT NULL,
  model_id  text    NOT NULL,
  shard     integer NOT NULL,
  code      bytea   NOT NULL,      -- the code's little-endian bytes (Code.toBase64, decoded)
  bits      integer NOT NULL CHECK (bits BETWEEN 1 AND 1024),
  label     text,
  metadata  jsonb   NOT NULL DEFAULT '{}'::jsonb,
  original  text,                  -- sha256 of a kept original in pipit_originals
  sequence  bigint  NOT NULL REFERENCES pipit_changes (sequence),
  PRIMARY KEY (id, model_id)
);
CREATE INDEX pipit_items_shard_model ON pipit_items (shard, model_id);

-- Model activations: from this sequence on every node serves model_id.
CREATE TABLE pipit_model_activations (
  sequence     bigint PRIMARY KEY REFERENCES pipit_changes (sequence),
  model_id     text   NOT NULL,
  activated_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- Kept originals, by content: every node can serve any item's original.
CREATE TABLE pipit_originals (
  sha256     text  PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  media_type text  NOT NULL,
  bytes      bytea NOT NULL
);
