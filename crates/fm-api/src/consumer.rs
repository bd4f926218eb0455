//! How a Function or a Sink consumes its input: the subscription and delivery settings the two
//! kinds share (upstream declares them on each of `FunctionSpec` and `SinkSpec`; here they are
//! declared once and flattened into both, so the wire format is upstream's).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::common::SubscriptionPosition;

/// Subscription and delivery settings of a Function or a Sink (flattened into its spec).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConsumerSpec {
    /// Topic receiving messages that failed `maxMessageRetry` times.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dead_letter_topic: Option<String>,
    /// Acknowledge each message once it is processed (the function returned, the sink wrote
    /// it). Default true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_ack: Option<bool>,
    /// Milliseconds before an unacknowledged message is redelivered; 0: never.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<i32>,
    /// Times a failed message is retried before going to `deadLetterTopic`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_message_retry: Option<i32>,
    /// Process messages in order (failover subscription). Default false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retain_ordering: Option<bool>,
    /// Keep messages of one key in order (key-shared subscription). Default false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retain_key_ordering: Option<bool>,
    /// Name of the input subscription. Default: `tenant/namespace/name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscription_name: Option<String>,
    /// Where a new subscription starts: `latest` or `earliest` (default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscription_position: Option<SubscriptionPosition>,
    /// Delete the input subscription when the resource is deleted. Default false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cleanup_subscription: Option<bool>,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::{FunctionSpec, SinkSpec};

    /// Upstream writes the nine fields at the top of a Function's and of a Sink's spec; read
    /// into [`ConsumerSpec`] and written back, they are where they were.
    #[test]
    fn the_consumer_fields_stay_at_the_top_of_the_spec_both_ways() {
        let wire = json!({
            "deadLetterTopic": "persistent://public/default/dlq",
            "autoAck": false,
            "timeout": 30000,
            "maxMessageRetry": 3,
            "retainOrdering": true,
            "retainKeyOrdering": false,
            "subscriptionName": "sub",
            "subscriptionPosition": "latest",
            "cleanupSubscription": true,
        });
        let expected = ConsumerSpec {
            dead_letter_topic: Some("persistent://public/default/dlq".into()),
            auto_ack: Some(false),
            timeout: Some(30000),
            max_message_retry: Some(3),
            retain_ordering: Some(true),
            retain_key_ordering: Some(false),
            subscription_name: Some("sub".into()),
            subscription_position: Some(SubscriptionPosition::Latest),
            cleanup_subscription: Some(true),
        };
        let function: FunctionSpec = serde_json::from_value(wire.clone()).expect("function");
        assert_eq!(function.consumer, expected);
        assert_eq!(serde_json::to_value(&function).expect("json"), wire);
        let sink: SinkSpec = serde_json::from_value(wire.clone()).expect("sink");
        assert_eq!(sink.consumer, expected);
        assert_eq!(serde_json::to_value(&sink).expect("json"), wire);
    }
}
