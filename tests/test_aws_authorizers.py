"""API Gateway authorizers and their gateway responses, as AWS documents them.

API Gateway has no local server to run (SAM CLI's `sam local` does not run
authorizers' gateway responses the way API Gateway does), so these tests
hold the model to the documented behaviour instead of a live one:

- "Gateway response types for API Gateway": a request an authorizer
  refuses is answered by API Gateway itself, UNAUTHORIZED (401) when the
  identity source is missing, falling back to DEFAULT_4XX when
  UNAUTHORIZED is not customised; the integration (the Lambda that sends
  the CORS headers) never runs, so the response has only the gateway
  response's headers.
- AWS SAM "ApiAuth": `AddDefaultAuthorizerToCorsPreflight` (default true)
  puts the `DefaultAuthorizer` on the CORS OPTIONS method; an event's
  `Auth.Authorizer: NONE` opts the route out.
- AWS SAM "Customized response example": `GatewayResponses` with
  `ResponseParameters.Headers` sets headers on those responses.
- Serverless Framework: `http.authorizer` (identity source
  `method.request.header.Authorization` unless `identitySource` says
  otherwise) never guards the CORS OPTIONS method it generates; gateway
  responses are `resources` of Type `AWS::ApiGateway::GatewayResponse`
  with `gatewayresponse.header.*` parameters.
"""

from __future__ import annotations

import textwrap

from corslint.model import Handler, Request
from corslint.platforms import load

ORIGIN = "https://app.example.com"
PREFLIGHT = (("origin", ORIGIN), ("access-control-request-method", "GET"),
             ("access-control-request-headers", "authorization"))

SAM = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      Cors:
        AllowOrigin: "'https://app.example.com'"
        AllowHeaders: "'Content-Type,Authorization'"
      Auth:
        DefaultAuthorizer: Users
{auth}        Authorizers:
          Users:
{authorizer}
{responses}  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: python3.12
      Events:
        Get:
          Type: Api
          Properties:
            RestApiId: !Ref Api
            Path: /orders
            Method: get
{event}"""
COGNITO = "            UserPoolArn: arn:aws:cognito-idp:eu-west-1:1:userpool/eu-west-1_x"


def sam(tmp_path, auth="", authorizer=COGNITO, responses="", event=""):
    path = tmp_path / "template.yaml"
    path.write_text(SAM.format(auth=auth, authorizer=authorizer, responses=responses, event=event))
    return load(str(path), str(path))


def ask(model, method="GET", headers=(("origin", ORIGIN),)):
    return model.answer(Request(method, "https://service.example/orders", tuple(headers)))


def responses(kind: str, origin: str) -> str:
    return textwrap.indent(textwrap.dedent(f"""\
        GatewayResponses:
          {kind}:
            ResponseParameters:
              Headers:
                Access-Control-Allow-Origin: "'{origin}'"
        """), "      ")


def test_sam_unauthenticated_request_gets_the_authorizers_401_without_cors(tmp_path):
    m = sam(tmp_path, auth="        AddDefaultAuthorizerToCorsPreflight: false\n")
    refused = ask(m)
    assert (refused.status, refused.handler, refused.has("access-control-allow-origin")) == (401, Handler.AUTH, False)
    preflight = ask(m, "OPTIONS", PREFLIGHT)
    assert preflight.status == 200 and preflight.get("access-control-allow-origin") == ORIGIN
    passed = ask(m, headers=(("origin", ORIGIN), ("authorization", "Bearer t")))
    assert passed.handler == Handler.PROXY and not passed.certain     # the authorizer decides at run time


def test_sam_default_authorizer_guards_the_cors_preflight_by_default(tmp_path):
    assert ask(sam(tmp_path), "OPTIONS", PREFLIGHT).status == 401


def test_sam_event_without_authorizer_is_not_guarded(tmp_path):
    m = sam(tmp_path, event="            Auth:\n              Authorizer: NONE\n")
    assert ask(m).handler == Handler.PROXY
    assert ask(m, "OPTIONS", PREFLIGHT).status == 200


def test_sam_gateway_responses_unauthorized_first_then_default_4xx(tmp_path):
    auth = "        AddDefaultAuthorizerToCorsPreflight: false\n"
    fallback = sam(tmp_path, auth=auth, responses=responses("DEFAULT_4XX", ORIGIN))
    assert ask(fallback).get("access-control-allow-origin") == ORIGIN
    both = responses("UNAUTHORIZED", ORIGIN) + "        DEFAULT_4XX:\n          ResponseParameters:\n" \
        "            Headers:\n              Access-Control-Allow-Origin: \"'*'\"\n"
    assert ask(sam(tmp_path, auth=auth, responses=both)).get("access-control-allow-origin") == ORIGIN


def test_sam_lambda_token_authorizer_with_its_own_identity_header(tmp_path):
    authorizer = "            FunctionArn: arn:aws:lambda:eu-west-1:1:function:auth\n" \
                 "            Identity:\n              Header: X-Api-Token"
    m = sam(tmp_path, auth="        AddDefaultAuthorizerToCorsPreflight: false\n", authorizer=authorizer)
    assert ask(m, headers=(("origin", ORIGIN), ("authorization", "Bearer t"))).status == 401
    assert ask(m, headers=(("origin", ORIGIN), ("x-api-token", "t"))).handler == Handler.PROXY


SERVERLESS = """\
service: billing
provider:
  name: aws
functions:
  invoices:
    handler: handler.invoices
    events:
      - http:
          path: orders
          method: get
          cors: true
          authorizer: {authorizer}
{resources}"""


def serverless(tmp_path, authorizer="authorize", resources=""):
    path = tmp_path / "serverless.yml"
    path.write_text(SERVERLESS.format(authorizer=authorizer, resources=resources))
    return load(str(path), str(path))


def test_serverless_authorizer_refuses_without_cors_and_never_guards_options(tmp_path):
    m = serverless(tmp_path)
    assert (ask(m).status, ask(m).has("access-control-allow-origin")) == (401, False)
    assert ask(m, "OPTIONS", PREFLIGHT).status == 200


def test_serverless_gateway_response_resource_adds_its_headers(tmp_path):
    resources = textwrap.dedent("""\
        resources:
          Resources:
            Default4xx:
              Type: AWS::ApiGateway::GatewayResponse
              Properties:
                ResponseType: DEFAULT_4XX
                ResponseParameters:
                  gatewayresponse.header.Access-Control-Allow-Origin: "'*'"
        """)
    assert ask(serverless(tmp_path, resources=resources)).get("access-control-allow-origin") == "*"


def test_serverless_iam_and_request_authorizers(tmp_path):
    assert ask(serverless(tmp_path, "\n            type: aws_iam")).handler == Handler.PROXY
    request = "\n            name: check\n            type: request\n" \
              "            identitySource: method.request.header.X-Tenant, method.request.header.Authorization"
    m = serverless(tmp_path, request)
    assert ask(m, headers=(("origin", ORIGIN), ("authorization", "t"))).status == 401
    assert ask(m, headers=(("origin", ORIGIN), ("authorization", "t"), ("x-tenant", "a"))).handler == Handler.PROXY
