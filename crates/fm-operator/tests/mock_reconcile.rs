//! The reconcilers against a mocked API server (kube's tower-test pattern): every request the
//! reconciler makes is asserted, in order, and answered by the test.

use std::sync::Arc;

use fm_api::status::{ComponentStatus, ResourceCondition};
use fm_api::{Function, FunctionMesh};
use fm_operator::context::{Context, EventSettings, HpaVersion};
use fm_operator::metrics::Metrics;
use fm_operator::observed::SeenChild;
use http::{Method, Request, Response, StatusCode};
use kube::client::Body;
use kube::runtime::controller::Action;
use kube::Client;
use serde_json::{json, Value};

type Handle = tower_test::mock::Handle<Request<Body>, Response<Body>>;

fn context(client: Client) -> Arc<Context> {
    Arc::new(Context::new(
        client,
        fm_desired::Options::default(),
        HpaVersion::V2,
        false,
        Arc::new(Metrics::default()),
        EventSettings::default(),
    ))
}

fn mock() -> (Client, Handle) {
    let (service, handle) = tower_test::mock::pair::<Request<Body>, Response<Body>>();
    (Client::new(service, "default"), handle)
}

/// One expected request: method, path (without query) and the answer.
struct Expect {
    method: Method,
    path: &'static str,
    status: StatusCode,
    body: Value,
}

fn expect(method: Method, path: &'static str, status: StatusCode, body: Value) -> Expect {
    Expect {
        method,
        path,
        status,
        body,
    }
}

fn not_found() -> Value {
    json!({"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "NotFound", "code": 404, "message": "not found"})
}

/// Serves `script` in order and returns the bodies the reconciler sent.
async fn serve(mut handle: Handle, script: Vec<Expect>) -> Vec<(String, Value)> {
    let mut sent = Vec::new();
    for step in script {
        let (request, respond) = handle
            .next_request()
            .await
            .expect("the reconciler made fewer requests than expected");
        let path = request.uri().path().to_owned();
        let content_type = request
            .headers()
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let (group, resource, verbs) = rbac_of(request.method(), &path, &content_type);
        for verb in verbs {
            assert!(
                fm_operator::rbac::allows(&group, &resource, verb),
                "{verb} {group}/{resource} is not granted in rbac.rs (request {path})"
            );
        }
        assert_eq!(
            (request.method().clone(), path.as_str()),
            (step.method.clone(), step.path),
            "unexpected request"
        );
        let bytes = request
            .into_body()
            .collect_bytes()
            .await
            .expect("request body");
        let body: Value = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).expect("JSON body")
        };
        sent.push((path, body));
        let response = Response::builder()
            .status(step.status)
            .body(Body::from(serde_json::to_vec(&step.body).expect("JSON")))
            .expect("response");
        respond.send_response(response);
    }
    sent
}

/// The RBAC (group, resource, verbs) a request needs. A server-side apply is authorised as
/// `create` when the object does not exist yet and as `patch` when it does: it needs both.
fn rbac_of(method: &Method, path: &str, content_type: &str) -> (String, String, Vec<&'static str>) {
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    // /api/v1/namespaces/NS/RES[/NAME[/SUB]] or /apis/G/V/namespaces/NS/RES[/NAME[/SUB]]
    let (group, rest) = match parts.first() {
        Some(&"api") => (String::new(), &parts[2..]),
        _ => (parts[1].to_owned(), &parts[3..]),
    };
    let rest = &rest[2..]; // skip namespaces/NS
    let resource = match rest {
        [res, _, sub] => format!("{res}/{sub}"),
        [res, ..] => (*res).to_owned(),
        [] => String::new(),
    };
    let verbs = match (method.as_str(), rest.len()) {
        ("GET", 1) => vec!["list"],
        ("GET", _) => vec!["get"],
        ("POST", _) => vec!["create"],
        ("PATCH", _) if content_type.starts_with("application/apply-patch") => {
            vec!["create", "patch"]
        }
        ("PATCH", _) => vec!["patch"],
        ("PUT", _) => vec!["update"],
        ("DELETE", _) => vec!["delete"],
        _ => vec!["unknown"],
    };
    (group, resource, verbs)
}

fn function(max_replicas: Option<i32>) -> Function {
    let mut f: Function = serde_json::from_value(json!({
        "apiVersion": "compute.functionmesh.io/v1alpha1",
        "kind": "Function",
        "metadata": {"name": "wc", "namespace": "default", "uid": "1234-5678", "generation": 2},
        "spec": {
            "className": "org.example.Split",
            "replicas": 1,
            "input": {"topics": ["persistent://public/default/in"]},
            "output": {"topic": "persistent://public/default/out"},
            "resources": {"requests": {"cpu": "100m", "memory": "512Mi"}, "limits": {"cpu": "100m", "memory": "512Mi"}},
            "pulsar": {"pulsarConfig": "cluster"},
            "java": {"jar": "/pulsar/examples/api-examples.jar"}
        }
    }))
    .expect("valid Function");
    f.spec.common.max_replicas = max_replicas;
    f
}

fn echo_sts(ready: i32) -> Value {
    json!({"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "wc-function", "namespace": "default"},
           "spec": {"replicas": 1, "selector": {}, "serviceName": "wc-function-headless", "template": {}},
           "status": {"replicas": 1, "readyReplicas": ready}})
}

fn create_script(hpa: bool) -> Vec<Expect> {
    let mut script = vec![
        expect(
            Method::GET,
            "/api/v1/namespaces/default/configmaps/cluster",
            StatusCode::NOT_FOUND,
            not_found(),
        ),
        expect(
            Method::PATCH,
            "/apis/apps/v1/namespaces/default/statefulsets/wc-function",
            StatusCode::OK,
            echo_sts(1),
        ),
        expect(
            Method::PATCH,
            "/api/v1/namespaces/default/services/wc-function-headless",
            StatusCode::OK,
            json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "wc-function-headless"}}),
        ),
    ];
    if hpa {
        script.push(expect(Method::PATCH, "/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers/wc-function", StatusCode::OK,
            json!({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "wc-function"}})));
    }
    script.push(expect(
        Method::PATCH,
        "/apis/compute.functionmesh.io/v1alpha1/namespaces/default/functions/wc/status",
        StatusCode::OK,
        serde_json::to_value(function(None)).expect("json"),
    ));
    script
}

#[tokio::test]
async fn creates_everything_from_nothing_and_reports_status() {
    let (client, handle) = mock();
    let server = tokio::spawn(serve(handle, create_script(true)));
    let action =
        fm_operator::reconcile::component::reconcile(Arc::new(function(Some(4))), context(client))
            .await
            .expect("reconcile succeeds");
    assert_eq!(action, Action::requeue(fm_operator::reconcile::RESYNC));
    let sent = server.await.expect("server");
    let sts = &sent[1].1;
    assert_eq!(sts["kind"], "StatefulSet");
    assert_eq!(
        sts["metadata"]["annotations"]["compute.functionmesh.io/desired-hash"]
            .as_str()
            .map(str::len),
        Some(32),
        "what was applied is recorded, so an unchanged child is not applied again"
    );
    assert_eq!(sts["spec"]["serviceName"], "wc-function-headless");
    assert_eq!(sts["metadata"]["ownerReferences"][0]["uid"], "1234-5678");
    let hpa = &sent[3].1;
    assert_eq!(hpa["apiVersion"], "autoscaling/v2");
    assert_eq!(hpa["spec"]["maxReplicas"], 4);
    assert_eq!(hpa["spec"]["scaleTargetRef"]["kind"], "Function");
    let status = &sent[4].1["status"];
    assert_eq!(status["observedGeneration"], 2);
    assert_eq!(status["replicas"], 1);
    assert!(status["selector"]
        .as_str()
        .expect("selector")
        .contains("compute.functionmesh.io/name=wc"));
    assert_eq!(status["conditions"]["StatefulSet"]["status"], "True");
    assert_eq!(status["conditions"]["Spec"]["status"], "True");
}

#[tokio::test]
async fn a_reconcile_that_finds_everything_as_desired_makes_no_write() {
    let (client, handle) = mock();
    let server = tokio::spawn(serve(handle, create_script(false)));
    fm_operator::reconcile::component::reconcile(Arc::new(function(None)), context(client))
        .await
        .expect("ok");
    let sent = server.await.expect("server");
    let mut written = sent.last().expect("a status patch").1["status"].clone();
    // What the server stores: the patch's nulls remove keys.
    if let Some(conditions) = written["conditions"].as_object_mut() {
        conditions.retain(|_, c| !c.is_null());
    }

    // The watch caches now hold what was applied (annotations included) …
    let (client, handle) = mock();
    let ctx = context(client);
    let mut stored_sts: k8s_openapi::api::apps::v1::StatefulSet =
        serde_json::from_value(sent[1].1.clone()).expect("a StatefulSet");
    stored_sts.status = serde_json::from_value(echo_sts(1)["status"].clone()).expect("status");
    ctx.observed
        .statefulsets
        .insert("default", "wc-function", stored_sts);
    let stored_svc: k8s_openapi::api::core::v1::Service =
        serde_json::from_value(sent[2].1.clone()).expect("a Service");
    ctx.observed
        .services
        .insert("default", "wc-function-headless", stored_svc.metadata);
    // … and the resource its status: only the cluster ConfigMap is read.
    let mut up_to_date = function(None);
    up_to_date.status = Some(serde_json::from_value(written).expect("a status"));
    let script = create_script(false).into_iter().take(1).collect();
    let server = tokio::spawn(serve(handle, script));
    fm_operator::reconcile::component::reconcile(Arc::new(up_to_date), ctx)
        .await
        .expect("ok, without a write");
    server.await.expect("server");
}

#[tokio::test]
async fn removing_max_replicas_deletes_the_autoscaler() {
    let (client, handle) = mock();
    let ctx = context(client);
    ctx.observed
        .hpas
        .insert("default", "wc-function", Default::default());
    let mut script = create_script(false);
    script.insert(
        3,
        expect(
            Method::DELETE,
            "/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers/wc-function",
            StatusCode::OK,
            json!({"kind": "Status", "apiVersion": "v1", "status": "Success"}),
        ),
    );
    let server = tokio::spawn(serve(handle, script));
    fm_operator::reconcile::component::reconcile(Arc::new(function(None)), ctx)
        .await
        .expect("ok");
    let sent = server.await.expect("server");
    assert_eq!(
        sent[4].1["status"]["conditions"]["HorizontalPodAutoscaler"],
        Value::Null
    );
}

#[tokio::test]
async fn a_deleted_statefulset_is_recreated_and_unready_pods_are_reported() {
    let (client, handle) = mock();
    let mut script = create_script(false);
    script[1].body = echo_sts(0);
    let server = tokio::spawn(serve(handle, script));
    fm_operator::reconcile::component::reconcile(Arc::new(function(None)), context(client))
        .await
        .expect("ok");
    let sent = server.await.expect("server");
    let cond = &sent[3].1["status"]["conditions"]["StatefulSet"];
    assert_eq!(cond["status"], "False");
    assert_eq!(cond["action"], "Wait");
}

#[tokio::test]
async fn immutable_field_change_replaces_the_statefulset() {
    let (client, handle) = mock();
    let forbidden = json!({"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "Invalid", "code": 422,
        "message": "StatefulSet.apps \"wc-function\" is invalid: spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'template' are forbidden"});
    let ctx = context(client);
    // It exists, as applied from another spec.
    ctx.observed.statefulsets.insert(
        "default",
        "wc-function",
        serde_json::from_value(echo_sts(1)).expect("a StatefulSet"),
    );
    let mut script = create_script(false);
    script[1].status = StatusCode::UNPROCESSABLE_ENTITY;
    script[1].body = forbidden;
    // The Service's apply went out with the StatefulSet's.
    script.insert(
        3,
        expect(
            Method::DELETE,
            "/apis/apps/v1/namespaces/default/statefulsets/wc-function",
            StatusCode::OK,
            echo_sts(1),
        ),
    );
    script.insert(
        4,
        expect(
            Method::PATCH,
            "/apis/apps/v1/namespaces/default/statefulsets/wc-function",
            StatusCode::OK,
            echo_sts(1),
        ),
    );
    let server = tokio::spawn(serve(handle, script));
    fm_operator::reconcile::component::reconcile(Arc::new(function(None)), ctx)
        .await
        .expect("ok");
    let sent = server.await.expect("server");
    assert_eq!(
        sent[3].1["propagationPolicy"], "Orphan",
        "pods are kept while the StatefulSet is replaced"
    );
}

#[tokio::test]
async fn an_invalid_spec_gets_a_condition_and_no_retry() {
    let (client, handle) = mock();
    let mut bad = function(None);
    bad.spec.common.min_replicas = Some(3);
    bad.spec.common.max_replicas = Some(2); // maxReplicas below minReplicas
    let script = vec![
        expect(
            Method::GET,
            "/api/v1/namespaces/default/configmaps/cluster",
            StatusCode::NOT_FOUND,
            not_found(),
        ),
        expect(
            Method::PATCH,
            "/apis/compute.functionmesh.io/v1alpha1/namespaces/default/functions/wc/status",
            StatusCode::OK,
            serde_json::to_value(function(None)).expect("json"),
        ),
        expect(
            Method::POST,
            "/apis/events.k8s.io/v1/namespaces/default/events",
            StatusCode::CREATED,
            json!({"apiVersion": "events.k8s.io/v1", "kind": "Event", "metadata": {"name": "e"}, "eventTime": null}),
        ),
    ];
    let server = tokio::spawn(serve(handle, script));
    let action = fm_operator::reconcile::component::reconcile(Arc::new(bad), context(client))
        .await
        .expect("handled");
    assert_eq!(
        action,
        Action::await_change(),
        "no retry storm: wait for the user's next edit"
    );
    let sent = server.await.expect("server");
    let cond = &sent[1].1["status"]["conditions"]["Spec"];
    assert_eq!(cond["status"], "False");
    assert_eq!(cond["reason"], "InvalidSpec");
    assert!(
        cond["message"]
            .as_str()
            .expect("message")
            .contains("maxReplicas"),
        "{cond}"
    );
    assert_eq!(
        sent[1].1["status"]["conditions"]["Ready"]["status"],
        "False"
    );
    assert_eq!(
        sent[1].1["status"]["conditions"]["Ready"]["reason"],
        "InvalidSpec"
    );
    let event = &sent[2].1;
    assert_eq!(event["type"], "Warning");
    assert_eq!(event["reason"], "InvalidSpec");
    assert_eq!(event["regarding"]["kind"], "Function");
    assert_eq!(event["regarding"]["name"], "wc");
}

fn api_error(code: u16, reason: &str, message: &str) -> Value {
    json!({"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": reason, "code": code, "message": message})
}

/// The status patch and the Event a failed reconcile must write, after `script`.
fn failure_report(mut script: Vec<Expect>) -> Vec<Expect> {
    script.push(expect(
        Method::PATCH,
        "/apis/compute.functionmesh.io/v1alpha1/namespaces/default/functions/wc/status",
        StatusCode::OK,
        serde_json::to_value(function(None)).expect("json"),
    ));
    script.push(expect(
        Method::POST,
        "/apis/events.k8s.io/v1/namespaces/default/events",
        StatusCode::CREATED,
        json!({"apiVersion": "events.k8s.io/v1", "kind": "Event", "metadata": {"name": "e"}, "eventTime": null}),
    ));
    script
}

#[tokio::test]
async fn a_refused_write_is_reported_as_a_condition_and_an_event() {
    let (client, handle) = mock();
    let message = "statefulsets.apps \"wc-function\" is forbidden: User \"system:serviceaccount:function-mesh-system:fm-operator\" cannot create resource \"statefulsets\"";
    // The Service's apply went out with the StatefulSet's, and was answered.
    let mut script = create_script(false);
    script.truncate(3);
    script[1].status = StatusCode::FORBIDDEN;
    script[1].body = api_error(403, "Forbidden", message);
    let server = tokio::spawn(serve(handle, failure_report(script)));
    let ctx = context(client);
    let error = fm_operator::reconcile::component::reconcile(Arc::new(function(None)), ctx.clone())
        .await
        .expect_err("the apply was refused");
    assert_eq!(error.reason(), "Forbidden");
    let sent = server.await.expect("server");
    let ready = &sent[3].1["status"]["conditions"]["Ready"];
    assert_eq!(ready["status"], "False");
    assert_eq!(ready["reason"], "Forbidden");
    assert_eq!(ready["message"], message, "the API server's own message");
    assert_eq!(
        sent[3].1["status"]["replicas"], 0,
        "status keeps its required fields"
    );
    let event = &sent[4].1;
    assert_eq!(event["type"], "Warning");
    assert_eq!(event["reason"], "Forbidden");
    assert_eq!(event["note"], message);
    // Backoff grows per object.
    let waits: Vec<_> = (0..3)
        .map(|_| fm_operator::reconcile::component::retry_after(&function(None), &ctx))
        .collect();
    assert!(waits[0] != waits[1] && waits[1] != waits[2], "{waits:?}");
}

#[tokio::test]
async fn a_statefulset_another_controller_owns_is_not_taken_over() {
    let (client, handle) = mock();
    let mut foreign = echo_sts(1);
    foreign["metadata"]["ownerReferences"] = json!([{"apiVersion": "apps/v1", "kind": "Deployment",
        "name": "someone", "uid": "other-uid", "controller": true}]);
    let ctx = context(client);
    ctx.observed.statefulsets.insert(
        "default",
        "wc-function",
        serde_json::from_value(foreign).expect("a StatefulSet"),
    );
    let mut script = create_script(false);
    script.truncate(1);
    let server = tokio::spawn(serve(handle, failure_report(script)));
    let error = fm_operator::reconcile::component::reconcile(Arc::new(function(None)), ctx)
        .await
        .expect_err("not ours");
    assert_eq!(error.reason(), "NotOwned");
    let sent = server.await.expect("server");
    assert_eq!(sent.len(), 3, "no write to the StatefulSet");
    let ready = &sent[1].1["status"]["conditions"]["Ready"];
    assert_eq!(ready["reason"], "NotOwned");
    assert!(
        ready["message"]
            .as_str()
            .expect("message")
            .contains("Deployment someone"),
        "{ready}"
    );
    assert_eq!(sent[2].1["reason"], "NotOwned");
}

fn mesh(items: &[&str]) -> FunctionMesh {
    let functions: Vec<Value> = items
        .iter()
        .map(|name| json!({"name": name, "className": "org.example.F", "replicas": 1,
            "input": {"topics": ["persistent://public/default/in"]},
            "resources": {"requests": {"cpu": "100m", "memory": "512Mi"}, "limits": {"cpu": "100m", "memory": "512Mi"}},
            "pulsar": {"pulsarConfig": "cluster"}, "java": {"jar": "a.jar"}}))
        .collect();
    serde_json::from_value(json!({
        "apiVersion": "compute.functionmesh.io/v1alpha1", "kind": "FunctionMesh",
        "metadata": {"name": "m", "namespace": "default", "uid": "mesh-uid", "generation": 1},
        "spec": {"functions": functions}
    }))
    .expect("valid mesh")
}

#[tokio::test]
async fn a_mesh_applies_its_children_and_prunes_removed_ones() {
    let (client, handle) = mock();
    let child = |name: &str, ready: bool| {
        let mut f = function(None);
        f.metadata.name = Some(name.to_owned());
        f.status = Some(ComponentStatus {
            conditions: [(
                "StatefulSet".to_owned(),
                ResourceCondition {
                    status: Some(if ready { "True" } else { "False" }.into()),
                    ..Default::default()
                },
            )]
            .into(),
            ..Default::default()
        });
        serde_json::to_value(f).expect("json")
    };
    let mut orphan = function(None);
    orphan.metadata.name = Some("m-old".into());
    orphan.metadata.owner_references = Some(vec![
        k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference {
            api_version: "compute.functionmesh.io/v1alpha1".into(),
            kind: "FunctionMesh".into(),
            name: "m".into(),
            uid: "mesh-uid".into(),
            controller: Some(true),
            block_owner_deletion: Some(true),
        },
    ]);
    let mut stranger = function(None);
    stranger.metadata.name = Some("someone-else".into());
    // What the watch caches hold: the mesh's old child, and someone else's Function.
    let ctx = context(client);
    for f in [&orphan, &stranger] {
        ctx.observed.functions.insert(
            "default",
            &f.metadata.name.clone().expect("name"),
            SeenChild::of(&f.metadata, f.status.as_ref()),
        );
    }
    let script = vec![
        expect(
            Method::PATCH,
            "/apis/compute.functionmesh.io/v1alpha1/namespaces/default/functions/m-a",
            StatusCode::OK,
            child("m-a", true),
        ),
        expect(
            Method::DELETE,
            "/apis/compute.functionmesh.io/v1alpha1/namespaces/default/functions/m-old",
            StatusCode::OK,
            json!({"kind": "Status", "apiVersion": "v1", "status": "Success"}),
        ),
        expect(
            Method::PATCH,
            "/apis/compute.functionmesh.io/v1alpha1/namespaces/default/functionmeshes/m/status",
            StatusCode::OK,
            serde_json::to_value(mesh(&["a"])).expect("json"),
        ),
    ];
    let server = tokio::spawn(serve(handle, script));
    fm_operator::reconcile::mesh::reconcile(Arc::new(mesh(&["a"])), ctx.clone())
        .await
        .expect("ok");
    let sent = server.await.expect("server");
    let applied = &sent[0].1;
    assert_eq!(applied["metadata"]["ownerReferences"][0]["uid"], "mesh-uid");
    assert_eq!(applied["spec"]["name"], "a");
    let status = &sent[2].1["status"];
    assert_eq!(status["functionConditions"]["m-a"]["status"], "True");
    assert_eq!(status["condition"]["status"], "True");

    // Once the cache holds the child as applied, a reconcile sends nothing at all.
    let mut stored: Function = serde_json::from_value(applied.clone()).expect("a Function");
    stored.status = serde_json::from_value::<Function>(child("m-a", true))
        .expect("a Function")
        .status;
    let mut converged = mesh(&["a"]);
    let mut written = status.clone();
    written["functionConditions"]
        .as_object_mut()
        .expect("conditions")
        .retain(|_, c| !c.is_null());
    converged.status = Some(serde_json::from_value(written).expect("a mesh status"));
    let (client, handle) = mock();
    let quiet = context(client);
    quiet.observed.functions.insert(
        "default",
        "m-a",
        SeenChild::of(&stored.metadata, stored.status.as_ref()),
    );
    let server = tokio::spawn(serve(handle, vec![]));
    fm_operator::reconcile::mesh::reconcile(Arc::new(converged), quiet)
        .await
        .expect("ok");
    assert!(server.await.expect("server").is_empty());
}

#[tokio::test]
async fn a_status_written_but_not_yet_seen_back_is_not_written_again() {
    // First, what a converged Function's children and status look like.
    let (client, handle) = mock();
    let server = tokio::spawn(serve(handle, create_script(false)));
    fm_operator::reconcile::component::reconcile(Arc::new(function(None)), context(client))
        .await
        .expect("ok");
    let first = server.await.expect("server");
    let mut written = first.last().expect("a status patch").1["status"].clone();
    if let Some(conditions) = written["conditions"].as_object_mut() {
        conditions.retain(|_, c| !c.is_null());
    }

    let (client, handle) = mock();
    let ctx = context(client);
    let mut stored_sts: k8s_openapi::api::apps::v1::StatefulSet =
        serde_json::from_value(first[1].1.clone()).expect("a StatefulSet");
    stored_sts.status = serde_json::from_value(echo_sts(1)["status"].clone()).expect("status");
    ctx.observed
        .statefulsets
        .insert("default", "wc-function", stored_sts);
    let stored_svc: k8s_openapi::api::core::v1::Service =
        serde_json::from_value(first[2].1.clone()).expect("a Service");
    ctx.observed
        .services
        .insert("default", "wc-function-headless", stored_svc.metadata);

    // The status is written once. A second reconcile, woken before that write came back
    // through the watch (its resource still has no status), writes nothing. A third, whose
    // resource shows the status, writes nothing either, and the memo lets go of the write.
    let read_config = || create_script(false).remove(0);
    let mut script = create_script(false);
    script.remove(2); // no Service apply: as cached
    script.remove(1); // no StatefulSet apply: as cached
    script.push(read_config());
    script.push(read_config());
    let server = tokio::spawn(serve(handle, script));
    for _ in 0..2 {
        fm_operator::reconcile::component::reconcile(Arc::new(function(None)), ctx.clone())
            .await
            .expect("ok");
    }
    assert_eq!(ctx.status_memo.len(), 1, "the write is in flight");
    let mut seen = function(None);
    seen.status = Some(serde_json::from_value(written).expect("a status"));
    fm_operator::reconcile::component::reconcile(Arc::new(seen), ctx.clone())
        .await
        .expect("ok");
    let sent = server.await.expect("server");
    assert_eq!(
        sent.iter()
            .filter(|(path, _)| path.ends_with("/status"))
            .count(),
        1
    );
    assert!(ctx.status_memo.is_empty());
}
