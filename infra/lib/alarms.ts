import { Alarm, ComparisonOperator, TreatMissingData, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';

/**
 * An alarm that fires on the first occurrence within one period (errors,
 * throttles, 5xx, dead letters) and notifies the alerts topic. No data is
 * not an alarm: an idle DDNS service emits no metrics for hours.
 */
export function alertOnAny(scope: Construct, id: string, metric: IMetric, description: string, topic: ITopic): Alarm {
  const alarm = new Alarm(scope, id, {
    metric,
    threshold: 1,
    evaluationPeriods: 1,
    comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: TreatMissingData.NOT_BREACHING,
    alarmDescription: description,
  });
  alarm.addAlarmAction(new SnsAction(topic));
  return alarm;
}
