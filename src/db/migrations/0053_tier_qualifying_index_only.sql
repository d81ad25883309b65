-- An owner's qualifying points (the portal's and the API's tier progress, the tier job, retention) are the sum of its
-- wallet's entries whose journals are earnings or reversals in the window. Read through the wallet's entries and then
-- each journal by key, both from the index alone: the entries' index carries the amount, and the journals' partial
-- index holds only earnings and reversals with their time. Without them the statement read the whole program's
-- journals of the window on every read (issue 12 item 4: the member portal's home page).
CREATE INDEX entries_by_wallet_amount ON entries (program_id, wallet_id, journal_id) INCLUDE (amount);
DROP INDEX entries_by_wallet;
ALTER INDEX entries_by_wallet_amount RENAME TO entries_by_wallet;
CREATE INDEX journals_qualifying ON journals (program_id, id) INCLUDE (occurred_at) WHERE kind IN ('earn', 'reverse');
