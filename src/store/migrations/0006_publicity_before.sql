-- 0006_publicity_before: what a department publishes before and during
-- enforcement (事前公开, 事中公示; issue 7): service guides per matter, the
-- random-check item list, remedies, supervision contacts and the 岗位信息
-- of service windows, each reviewed before it is public; and officer photos
-- for the certificate verification page. See src/api/publicity_before.c.

-- One publishable item. The working copy (content, version, state) is what
-- staff edit; the public copy (published_content, published_version) is what
-- the portal shows, and stays public while a correction (纠错) of it goes
-- through draft -> reviewed -> published as a new version.
CREATE TABLE publicity_items (
    id INTEGER PRIMARY KEY,
    department_id BIGINT NOT NULL REFERENCES departments(id),
    kind TEXT NOT NULL CHECK (kind IN
        ('guide', 'random_check', 'remedy', 'supervision', 'post')),
    matter_id BIGINT REFERENCES matters(id),     -- guide: the matter it explains
    officer_id BIGINT REFERENCES officers(id),   -- post: the officer at the window, optional
    title TEXT NOT NULL,                         -- for lists; derived from the content
    state TEXT NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'reviewed', 'published')),
    version INTEGER NOT NULL DEFAULT 1,
    content TEXT NOT NULL,                       -- JSON object, fields per kind
    edited_by BIGINT NOT NULL REFERENCES users(id), -- last editor: may not review it
    reviewed_by BIGINT REFERENCES users(id),
    reviewed_at BIGINT,
    published_version INTEGER,                   -- NULL: nothing of it is public
    published_content TEXT,
    published_by BIGINT REFERENCES users(id),
    published_at BIGINT,
    created_by BIGINT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX publicity_items_department ON publicity_items(department_id, kind, state);
-- one service guide per matter
CREATE UNIQUE INDEX publicity_items_guide ON publicity_items(matter_id) WHERE kind = 'guide';

-- Every transition of an item, with the content as it was after it: the
-- history a correction keeps. Appended only.
CREATE TABLE publicity_item_history (
    id INTEGER PRIMARY KEY,
    item_id BIGINT NOT NULL REFERENCES publicity_items(id),
    version INTEGER NOT NULL,
    action TEXT NOT NULL CHECK (action IN
        ('create', 'edit', 'correct', 'review', 'publish', 'withdraw')),
    state TEXT NOT NULL,
    content TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    actor_id BIGINT NOT NULL REFERENCES users(id),
    actor_name TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX publicity_item_history_item ON publicity_item_history(item_id, id);

-- An officer's photo for the verification page and the printable card:
-- JPEG or PNG (checked by magic bytes), at most 200 KB.
CREATE TABLE officer_photos (
    officer_id BIGINT PRIMARY KEY REFERENCES officers(id),
    content_type TEXT NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png')),
    data BLOB NOT NULL,
    sha256 TEXT NOT NULL,
    size BIGINT NOT NULL,
    updated_by BIGINT NOT NULL REFERENCES users(id),
    updated_at BIGINT NOT NULL
);
