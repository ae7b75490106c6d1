-- 0009_documents: what a final document gains after its 定稿 (issue 5):
-- a public verification code, handwritten signatures captured on a tablet,
-- and the department's electronic seal. See store/doc_store.h and
-- docs/documents.md.

-- One verification code per final document: printed with the QR code and
-- looked up by the public page /verify/document/{code}. content_sha256 is
-- the document's hash at finalization; leaf_index the ledger leaf of its
-- case_document_finalize event (NULL for a document finalized before the
-- ledger existed).
CREATE TABLE document_verifications (
    code TEXT PRIMARY KEY,                  -- XXXX-XXXX-XXXX-XXXX, Crockford base32
    document_id BIGINT NOT NULL UNIQUE REFERENCES case_documents(id),
    content_sha256 TEXT NOT NULL,
    leaf_index BIGINT,
    created_at BIGINT NOT NULL
);

-- Handwritten signatures of officers, parties and witnesses (a PNG drawn on
-- the screen, at most 200 KB), on final documents only: the content they sign
-- no longer changes. role is the signature slot the image is printed in.
CREATE TABLE document_signatures (
    id INTEGER PRIMARY KEY,
    document_id BIGINT NOT NULL REFERENCES case_documents(id),
    case_id BIGINT NOT NULL REFERENCES cases(id),
    department_id BIGINT NOT NULL REFERENCES departments(id),
    signer_kind TEXT NOT NULL CHECK (signer_kind IN ('officer', 'party', 'witness')),
    role TEXT NOT NULL,
    name TEXT NOT NULL,
    officer_id BIGINT REFERENCES officers(id),
    image BLOB NOT NULL,
    image_sha256 TEXT NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    document_sha256 TEXT NOT NULL,          -- the content signed
    signed_at BIGINT NOT NULL,
    created_by BIGINT NOT NULL REFERENCES users(id)
);
CREATE INDEX document_signatures_doc ON document_signatures(document_id, id);

-- Public halves of the departments' seal keys. The private key is the file
-- DATA/seals/<department_id>.key (PKCS#8 PEM, 0600) and never leaves the
-- server; a key is created at a department's first seal.
CREATE TABLE seal_keys (
    key_id TEXT PRIMARY KEY,                -- first 8 bytes of SHA-256(DER SPKI), hex
    department_id BIGINT NOT NULL REFERENCES departments(id),
    algorithm TEXT NOT NULL,
    public_key TEXT NOT NULL,               -- SubjectPublicKeyInfo PEM
    created_at BIGINT NOT NULL
);
CREATE INDEX seal_keys_department ON seal_keys(department_id, created_at);

-- The electronic seal of a final document: an SM2 signature (SM3, default
-- ID 1234567812345678) over the 64 ASCII characters of its content SHA-256.
CREATE TABLE document_seals (
    id INTEGER PRIMARY KEY,
    document_id BIGINT NOT NULL UNIQUE REFERENCES case_documents(id),
    department_id BIGINT NOT NULL REFERENCES departments(id),
    key_id TEXT NOT NULL REFERENCES seal_keys(key_id),
    content_sha256 TEXT NOT NULL,
    signature TEXT NOT NULL,                -- base64 of the DER signature
    sealed_by BIGINT NOT NULL REFERENCES users(id),
    sealed_at BIGINT NOT NULL
);
