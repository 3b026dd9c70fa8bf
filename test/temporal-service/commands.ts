/**
 * The commands of a completed workflow task: validated first (a bad command fails the whole task
 * before anything is written, as on the real server), then applied in order, each writing its
 * events right after WorkflowTaskCompleted with `workflowTaskCompletedEventId` pointing at it.
 */
import { canCancelActivity, requestCancelActivity, scheduleActivity } from './activities.js';
import { validateScheduleActivity } from './activity-options.js';
import { initiateCancelExternal, initiateChild, initiateSignalExternal } from './children.js';
import type { Engine } from './engine.js';
import type { Execution } from './execution.js';
import { enums, long, num, type temporal } from './proto.js';
import { cancelRun, completeRun, continueAsNew, failRun } from './run-close.js';
import { cancelTimer, canCancelTimer, startTimer } from './timers.js';

type Command = temporal.api.command.v1.ICommand;
type FailedCause = temporal.api.enums.v1.WorkflowTaskFailedCause;

const Type = enums.CommandType;
const Cause = enums.WorkflowTaskFailedCause;

export function isCloseCommand(command: Command): boolean {
  return (
    command.commandType === Type.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION ||
    command.commandType === Type.COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION ||
    command.commandType === Type.COMMAND_TYPE_CANCEL_WORKFLOW_EXECUTION ||
    command.commandType === Type.COMMAND_TYPE_CONTINUE_AS_NEW_WORKFLOW_EXECUTION
  );
}

export function findInvalidCommand(
  ex: Execution,
  commands: Command[],
): { cause: FailedCause; message: string } | undefined {
  const newActivityIds = new Set<string>();
  const newTimerIds = new Set<string>();
  for (const command of commands) {
    const invalid = (cause: FailedCause, message: string) => ({ cause, message });
    switch (command.commandType) {
      case Type.COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK: {
        const attrs = command.scheduleActivityTaskCommandAttributes ?? {};
        const problem = validateScheduleActivity(attrs);
        if (problem) return invalid(Cause.WORKFLOW_TASK_FAILED_CAUSE_BAD_SCHEDULE_ACTIVITY_ATTRIBUTES, problem);
        const id = attrs.activityId ?? '';
        if (ex.activityById(id) || newActivityIds.has(id)) {
          return invalid(
            Cause.WORKFLOW_TASK_FAILED_CAUSE_SCHEDULE_ACTIVITY_DUPLICATE_ID,
            `Activity ID ${id} is already open`,
          );
        }
        newActivityIds.add(id);
        break;
      }
      case Type.COMMAND_TYPE_START_TIMER: {
        const attrs = command.startTimerCommandAttributes ?? {};
        const id = attrs.timerId ?? '';
        if (!id) return invalid(Cause.WORKFLOW_TASK_FAILED_CAUSE_BAD_START_TIMER_ATTRIBUTES, 'TimerId is not set');
        if (ex.timers.has(id) || newTimerIds.has(id)) {
          return invalid(Cause.WORKFLOW_TASK_FAILED_CAUSE_START_TIMER_DUPLICATE_ID, `Timer ID ${id} is already open`);
        }
        newTimerIds.add(id);
        break;
      }
      case Type.COMMAND_TYPE_CANCEL_TIMER: {
        const id = command.cancelTimerCommandAttributes?.timerId ?? '';
        if (!canCancelTimer(ex, id) && !newTimerIds.has(id)) {
          return invalid(Cause.WORKFLOW_TASK_FAILED_CAUSE_BAD_CANCEL_TIMER_ATTRIBUTES, `no open timer with ID ${id}`);
        }
        break;
      }
      case Type.COMMAND_TYPE_START_CHILD_WORKFLOW_EXECUTION: {
        const attrs = command.startChildWorkflowExecutionCommandAttributes ?? {};
        if (!attrs.workflowId || !attrs.workflowType?.name) {
          return invalid(
            Cause.WORKFLOW_TASK_FAILED_CAUSE_BAD_START_CHILD_EXECUTION_ATTRIBUTES,
            'WorkflowId and WorkflowType are required',
          );
        }
        if (attrs.cronSchedule) return unsupported('cron schedules on child workflows');
        break;
      }
      case Type.COMMAND_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION: {
        const attrs = command.signalExternalWorkflowExecutionCommandAttributes ?? {};
        if (!attrs.execution?.workflowId || !attrs.signalName) {
          return invalid(
            Cause.WORKFLOW_TASK_FAILED_CAUSE_BAD_SIGNAL_WORKFLOW_EXECUTION_ATTRIBUTES,
            'WorkflowId and SignalName are required',
          );
        }
        break;
      }
      case Type.COMMAND_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION:
        if (!command.requestCancelExternalWorkflowExecutionCommandAttributes?.workflowId) {
          return invalid(
            Cause.WORKFLOW_TASK_FAILED_CAUSE_BAD_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_ATTRIBUTES,
            'WorkflowId is required',
          );
        }
        break;
      case Type.COMMAND_TYPE_RECORD_MARKER:
        if (!command.recordMarkerCommandAttributes?.markerName) {
          return invalid(Cause.WORKFLOW_TASK_FAILED_CAUSE_BAD_RECORD_MARKER_ATTRIBUTES, 'MarkerName is not set');
        }
        break;
      case Type.COMMAND_TYPE_CONTINUE_AS_NEW_WORKFLOW_EXECUTION:
        if (command.continueAsNewWorkflowExecutionCommandAttributes?.cronSchedule) return unsupported('cron schedules');
        break;
      case Type.COMMAND_TYPE_REQUEST_CANCEL_ACTIVITY_TASK: {
        const scheduledEventId = num(command.requestCancelActivityTaskCommandAttributes?.scheduledEventId);
        if (!canCancelActivity(ex, scheduledEventId)) {
          return invalid(
            Cause.WORKFLOW_TASK_FAILED_CAUSE_BAD_REQUEST_CANCEL_ACTIVITY_ATTRIBUTES,
            `no pending activity with ScheduledEventID ${scheduledEventId}`,
          );
        }
        break;
      }
      case Type.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION:
      case Type.COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION:
      case Type.COMMAND_TYPE_CANCEL_WORKFLOW_EXECUTION:
      case Type.COMMAND_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
      case Type.COMMAND_TYPE_MODIFY_WORKFLOW_PROPERTIES:
        break;
      default:
        return unsupported(`command ${Type[command.commandType ?? 0] ?? command.commandType}`);
    }
  }
  return undefined;
}

function unsupported(what: string) {
  return {
    cause: Cause.WORKFLOW_TASK_FAILED_CAUSE_FEATURE_DISABLED,
    message: `${what} ${what.endsWith('s') ? 'are' : 'is'} not supported by the in-memory Temporal service`,
  };
}

/** Applies validated commands; reports whether they need a new workflow task right away. */
export function applyCommands(
  engine: Engine,
  ex: Execution,
  commands: Command[],
  completedEventId: number,
  identity: string,
): { newWorkflowTask: boolean } {
  let newWorkflowTask = false;
  const now = () => engine.clock.now();
  for (const command of commands) {
    switch (command.commandType) {
      case Type.COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK:
        scheduleActivity(engine, ex, command.scheduleActivityTaskCommandAttributes!, completedEventId);
        break;
      case Type.COMMAND_TYPE_REQUEST_CANCEL_ACTIVITY_TASK:
        newWorkflowTask =
          requestCancelActivity(engine, ex, command.requestCancelActivityTaskCommandAttributes!, completedEventId) ||
          newWorkflowTask;
        break;
      case Type.COMMAND_TYPE_START_TIMER:
        startTimer(engine, ex, command.startTimerCommandAttributes!, completedEventId);
        break;
      case Type.COMMAND_TYPE_CANCEL_TIMER:
        cancelTimer(engine, ex, command.cancelTimerCommandAttributes!.timerId ?? '', completedEventId, identity);
        break;
      case Type.COMMAND_TYPE_START_CHILD_WORKFLOW_EXECUTION:
        initiateChild(engine, ex, command.startChildWorkflowExecutionCommandAttributes!, completedEventId);
        break;
      case Type.COMMAND_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION:
        initiateSignalExternal(engine, ex, command.signalExternalWorkflowExecutionCommandAttributes!, completedEventId);
        break;
      case Type.COMMAND_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION:
        initiateCancelExternal(
          engine,
          ex,
          command.requestCancelExternalWorkflowExecutionCommandAttributes!,
          completedEventId,
        );
        break;
      case Type.COMMAND_TYPE_RECORD_MARKER: {
        const attrs = command.recordMarkerCommandAttributes!;
        ex.history.append(
          'markerRecordedEventAttributes',
          {
            markerName: attrs.markerName,
            details: attrs.details,
            header: attrs.header,
            failure: attrs.failure,
            workflowTaskCompletedEventId: long(completedEventId),
          },
          now(),
        );
        break;
      }
      case Type.COMMAND_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES: {
        const searchAttributes = command.upsertWorkflowSearchAttributesCommandAttributes?.searchAttributes;
        ex.history.append(
          'upsertWorkflowSearchAttributesEventAttributes',
          { searchAttributes, workflowTaskCompletedEventId: long(completedEventId) },
          now(),
        );
        ex.searchAttributes = {
          indexedFields: { ...ex.searchAttributes?.indexedFields, ...searchAttributes?.indexedFields },
        };
        break;
      }
      case Type.COMMAND_TYPE_MODIFY_WORKFLOW_PROPERTIES: {
        const upsertedMemo = command.modifyWorkflowPropertiesCommandAttributes?.upsertedMemo;
        ex.history.append(
          'workflowPropertiesModifiedEventAttributes',
          { upsertedMemo, workflowTaskCompletedEventId: long(completedEventId) },
          now(),
        );
        ex.memo = { fields: { ...ex.memo?.fields, ...upsertedMemo?.fields } };
        break;
      }
      case Type.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION:
        completeRun(engine, ex, command.completeWorkflowExecutionCommandAttributes?.result, completedEventId);
        break;
      case Type.COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION:
        failRun(engine, ex, command.failWorkflowExecutionCommandAttributes?.failure, completedEventId);
        break;
      case Type.COMMAND_TYPE_CANCEL_WORKFLOW_EXECUTION:
        cancelRun(engine, ex, command.cancelWorkflowExecutionCommandAttributes?.details, completedEventId);
        break;
      case Type.COMMAND_TYPE_CONTINUE_AS_NEW_WORKFLOW_EXECUTION:
        continueAsNew(engine, ex, command.continueAsNewWorkflowExecutionCommandAttributes ?? {}, completedEventId);
        break;
    }
  }
  return { newWorkflowTask };
}
