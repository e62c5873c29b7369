/**
 * Starting and stopping journey executions with the Step Functions API. Execution names are the
 * journeys' entry ids, so a start that already happened is answered by the service as the same
 * execution, and a stop is addressed without storing execution ARNs.
 */
import { ExecutionAlreadyExists, ExecutionDoesNotExist, SFNClient, StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import * as z from '../core/zod.ts';
import { readConfig } from '../config.ts';
import type { JourneyLauncher } from '../core/journey-engine.ts';
import type { JourneyEntry, StateMachineJourney } from '../core/journeys.ts';

const stepFunctionsEnv = z.object({
  POST_PURCHASE_STATE_MACHINE_ARN: z.string().check(z.startsWith('arn:')),
  WIN_BACK_STATE_MACHINE_ARN: z.string().check(z.startsWith('arn:')),
  LOYALTY_INVITE_STATE_MACHINE_ARN: z.string().check(z.startsWith('arn:')),
  /** Local host only: where its Step Functions API answers. */
  SFN_ENDPOINT: z.optional(z.url()),
});

export class StepFunctionsLauncher implements JourneyLauncher {
  private readonly client: SFNClient;
  private readonly machines: Record<StateMachineJourney, string>;

  constructor(client: SFNClient, machines: Record<StateMachineJourney, string>) {
    this.client = client;
    this.machines = machines;
  }

  async start(entry: JourneyEntry): Promise<void> {
    try {
      await this.client.send(
        new StartExecutionCommand({ stateMachineArn: this.machines[entry.journey], name: entry.entryId, input: JSON.stringify({ entry: journeyInput(entry) }) }),
      );
    } catch (error) {
      // The same name with the same input is answered as success; anything else under this name
      // is still this entry's execution.
      if (!(error instanceof ExecutionAlreadyExists)) throw error;
    }
  }

  async stop(entry: JourneyEntry, cause: string): Promise<void> {
    const executionArn = `${this.machines[entry.journey].replace(':stateMachine:', ':execution:')}:${entry.entryId}`;
    try {
      await this.client.send(new StopExecutionCommand({ executionArn, cause }));
    } catch (error) {
      if (!(error instanceof ExecutionDoesNotExist)) throw error;
    }
  }
}

/** What the execution carries: the entry's identity only, never contact data. */
function journeyInput(entry: JourneyEntry): JourneyEntry {
  return {
    journey: entry.journey,
    entryId: entry.entryId,
    customerId: entry.customerId,
    enteredAt: entry.enteredAt,
    ...(entry.orderId ? { orderId: entry.orderId } : {}),
  };
}

let launcher: StepFunctionsLauncher | undefined;

/** The launcher for this process, built on first use from the environment. */
export function journeyLauncher(): StepFunctionsLauncher {
  if (!launcher) {
    const config = readConfig(stepFunctionsEnv);
    launcher = new StepFunctionsLauncher(new SFNClient({ ...(config.SFN_ENDPOINT ? { endpoint: config.SFN_ENDPOINT } : {}), maxAttempts: 5 }), {
      'post-purchase': config.POST_PURCHASE_STATE_MACHINE_ARN,
      'win-back': config.WIN_BACK_STATE_MACHINE_ARN,
      'loyalty-invite': config.LOYALTY_INVITE_STATE_MACHINE_ARN,
    });
  }
  return launcher;
}
