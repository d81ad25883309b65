-- An event's program is already checked through its account: (program_id, account_id) references accounts, and an
-- account's program_id references programs. The direct check repeated that for every event ingested (an index probe
-- and a share lock on the program's one row each time), about a tenth of the events insert of a 1,000-event batch on
-- PostgreSQL (issue 12 item 2). Lines, entries and lots reach the program the same way, through their event, journal
-- and wallet.
ALTER TABLE events DROP CONSTRAINT events_program_id_fkey;
