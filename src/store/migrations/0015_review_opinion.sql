-- 0015: the reviewer's signature on the 法制审核意见书 (issue 6). A signature
-- of kind 'reviewer' is recorded only by the review store, for the round's
-- own reviewer (store/review_store.h zf_review_store_sign_opinion); the
-- documents API cannot make one. The CHECK is widened by rebuilding the
-- table (portable: no ALTER ... CONSTRAINT in SQLite).
CREATE TABLE document_signatures_0015 (
    id INTEGER PRIMARY KEY,
    document_id BIGINT NOT NULL REFERENCES case_documents(id),
    case_id BIGINT NOT NULL REFERENCES cases(id),
    department_id BIGINT NOT NULL REFERENCES departments(id),
    signer_kind TEXT NOT NULL CHECK (signer_kind IN ('officer', 'party', 'witness', 'reviewer')),
    role TEXT NOT NULL,
    name TEXT NOT NULL,
    officer_id BIGINT REFERENCES officers(id),
    image BLOB NOT NULL,
    image_sha256 TEXT NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    document_sha256 TEXT NOT NULL,
    signed_at BIGINT NOT NULL,
    created_by BIGINT NOT NULL REFERENCES users(id)
);
INSERT INTO document_signatures_0015 (id, document_id, case_id, department_id, signer_kind, role,
    name, officer_id, image, image_sha256, width, height, document_sha256, signed_at, created_by)
SELECT id, document_id, case_id, department_id, signer_kind, role, name, officer_id, image,
    image_sha256, width, height, document_sha256, signed_at, created_by FROM document_signatures;
DROP TABLE document_signatures;
ALTER TABLE document_signatures_0015 RENAME TO document_signatures;
CREATE INDEX document_signatures_doc ON document_signatures(document_id, id);
