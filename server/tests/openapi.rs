//! The router and `server/openapi.json` list the same routes and methods. (That every status
//! of every route was seen and every answer validates against the document's schemas is checked
//! by `scripts/test-server.sh` with openapi-spec-validator and jsonschema, over the answers
//! these tests record.)

use std::collections::BTreeSet;

use kazashi_server::ROUTES;
use serde_json::Value;

#[test]
fn the_router_and_the_openapi_document_have_the_same_routes() {
    let doc: Value =
        serde_json::from_str(include_str!("../openapi.json")).expect("openapi.json is JSON");
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let mut documented = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            if ["get", "post", "put", "delete", "patch", "head", "options"]
                .contains(&method.as_str())
            {
                assert!(
                    !operation["responses"].as_object().unwrap().is_empty(),
                    "{method} {path} documents no response"
                );
                documented.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    let routed: BTreeSet<(String, String)> = ROUTES
        .iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    assert_eq!(routed, documented);
}
