-- PostgreSQL only (TOAST compression); SQLite stores values as given.
SELECT 1;
