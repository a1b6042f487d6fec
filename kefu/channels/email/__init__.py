"""The email channel: mailboxes, IMAP and SMTP in, SMTP out, MIME parsing, threading."""
