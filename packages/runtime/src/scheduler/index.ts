export { startScheduler, type Scheduler, type SchedulerOptions, type ScheduledRunResult } from './scheduler.js';
export { startDispatchWorkers, type DispatchWorkers, type DispatchWorkersOptions } from './dispatch-workers.js';
export { fireTimes, defaultSchedule, ScheduleError, type FireTimes, type Schedule } from './schedule.js';
