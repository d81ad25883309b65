-- Instance administrators: staff users who may create programs while the server runs (POST /v1/programs,
-- the console's Programs page). Granted with `lojal staff instance-admin --email …`; the creator of a
-- program becomes its owner and stays an instance administrator there.
ALTER TABLE staff_users ADD COLUMN instance_admin boolean NOT NULL DEFAULT false;
