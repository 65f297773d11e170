-- Up Migration
-- The system of record (docs/deployment.md): runtime API keys, the usage ledger and the audit log.

-- Keys created or revoked at runtime; never a secret, only its SHA-256 (hex).
CREATE TABLE api_keys (
  id          text PRIMARY KEY,
  secret_hash text NOT NULL UNIQUE,
  scopes      jsonb NOT NULL,
  models      jsonb NOT NULL,
  limits      jsonb NOT NULL,
  source      text NOT NULL CHECK (source IN ('config', 'api')),
  created_at  timestamptz NOT NULL,
  revoked_at  timestamptz
);

-- One row per completion. completion_id is generated per completion by the gateway (several
-- completions may share a request id: one operation with several chat fields, or a client's
-- x-request-id), so re-sent batches insert nothing twice.
CREATE TABLE usage_ledger (
  completion_id     uuid PRIMARY KEY,
  request_id        text NOT NULL,
  at                timestamptz NOT NULL,
  caller_kind       text NOT NULL,
  caller_id         text NOT NULL,
  requested_model   text NOT NULL,
  model             text,
  provider          text,
  streaming         boolean NOT NULL,
  prompt_tokens     integer NOT NULL,
  completion_tokens integer NOT NULL,
  reasoning_tokens  integer NOT NULL,
  cached_tokens     integer NOT NULL,
  cost_micros       bigint NOT NULL,
  cached            boolean NOT NULL,
  outcome           text NOT NULL,
  error_code        text,
  attempts          smallint NOT NULL,
  latency_ms        integer NOT NULL,
  ttft_ms           integer
);
CREATE INDEX usage_ledger_at ON usage_ledger (at);
CREATE INDEX usage_ledger_caller_at ON usage_ledger (caller_id, at);
CREATE INDEX usage_ledger_request ON usage_ledger (request_id);

-- The audit log of record (audit.sink: postgres): the stable AuditRecord JSON plus filter columns.
CREATE TABLE audit_log (
  completion_id uuid PRIMARY KEY,
  at            timestamptz NOT NULL,
  caller_id     text NOT NULL,
  model         text,
  outcome       text NOT NULL,
  record        jsonb NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at DESC, completion_id DESC);
CREATE INDEX audit_log_caller_at ON audit_log (caller_id, at DESC);

-- Down Migration
DROP TABLE audit_log;
DROP TABLE usage_ledger;
DROP TABLE api_keys;
