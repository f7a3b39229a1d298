-- A krithi's sections are written with it, in the transaction that writes the krithi, and a krithi is never
-- deleted (V0010's trigger refuses it): the foreign key from krithi_section could only ever pass. Checked per
-- row it took a KEY SHARE lock on the krithi for each of its ~27 section rows (33,700 checks, 4.3 s of server
-- time in a bulk approval of the Trinity batch: docs/benchmarks.md). Sections are read by krithi id
-- (krithi_section's primary key leads with it); what they refer to is checked where they are made (KrithiStore).
ALTER TABLE krithi_section DROP CONSTRAINT krithi_section_krithi_id_fkey;
