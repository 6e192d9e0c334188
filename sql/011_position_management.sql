-- Position management from MCP and REST (adjust, protect, partial close): the steps taken on a
-- position's exits are recorded with the others in position_exit_attempts.
--   action  exits_moved   its stop/target legs were replaced at the broker (PATCH; the old leg worked until
--                         the new one existed): detail says from → to
--           exits_resized its legs were replaced for fewer shares before a partial close
ALTER TABLE position_exit_attempts DROP CONSTRAINT position_exit_attempts_action_check;
ALTER TABLE position_exit_attempts ADD CONSTRAINT position_exit_attempts_action_check
  CHECK (action IN ('exit_sent', 'exit_refused', 'protected', 'protect_failed', 'exits_moved', 'exits_resized'));
