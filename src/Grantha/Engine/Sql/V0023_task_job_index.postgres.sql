-- Every task update writes a new entry into each index of stage_task (none of its updates is HOT: state is in
-- the indexes' predicates). stage_task_job served only the foreign key to job: no query reads tasks by job,
-- and a job goes only with its batch, whose foreign key (ON DELETE CASCADE, through stage_task_batch) takes
-- the batch's tasks with it. Dropping both measured about a tenth off the claim and completion statements
-- (docs/benchmarks.md). Tasks are inserted with the id of their batch's job for their stage, never anything else.
ALTER TABLE stage_task DROP CONSTRAINT stage_task_job_id_fkey;
DROP INDEX stage_task_job;
