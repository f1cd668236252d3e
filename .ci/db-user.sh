#!/usr/bin/env bash
# Create the application's MariaDB user and let it create test_ogc* databases.
# Root reaches MariaDB over the unix socket (Debian's default auth).
set -euo pipefail
user="$1"; password="$2"
mariadb -uroot <<SQL
CREATE USER IF NOT EXISTS '${user}'@'localhost' IDENTIFIED BY '${password}';
CREATE USER IF NOT EXISTS '${user}'@'127.0.0.1' IDENTIFIED BY '${password}';
CREATE DATABASE IF NOT EXISTS \`ogc\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
GRANT ALL ON \`ogc\`.* TO '${user}'@'localhost', '${user}'@'127.0.0.1';
GRANT ALL ON \`test\_ogc%\`.* TO '${user}'@'localhost', '${user}'@'127.0.0.1';
FLUSH PRIVILEGES;
SQL
