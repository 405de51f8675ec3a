"""Request/response exchanges transcribed from the vendors' published material (point 14 of issue 12).

Each constant is one exchange as the page shows it; "[Organization URI]" is written as ORG, and where a page
uses another table (tasks, example_records) the comment says what was renamed to the lead table so our
connector can be fed the exchange. Nothing here was produced by our own code or the sandboxes.

Microsoft pages live under https://learn.microsoft.com/power-apps/developer/data-platform/; SAP samples under
https://github.com/SAP-samples/cloud-alm-api-examples."""

ORG = "https://contoso.crm4.dynamics.com"
CRLF = "\r\n"


def crlf(text: str) -> bytes:
    """The pages print bodies with plain line ends; on the wire every line ends in CRLF."""
    return text.replace("\r\n", "\n").replace("\n", CRLF).encode()


# -- Dataverse: use-upsert-insert-update-record ("Create with upsert", "Update with upsert") ------------
# The page's table example_records(example_key1=2,example_key2=2) is renamed to our lead alternate key.
UPSERT_CREATE = {
    "request": {
        "method": "PATCH",
        "url": f"{ORG}/api/data/v9.2/leads(new_meridiandomain='acme.com')",
        "headers": {
            "OData-MaxVersion": "4.0",
            "OData-Version": "4.0",
            "If-None-Match": "null",
            "Accept": "application/json",
        },
        "body": {"lastname": "2:2"},
    },
    "response": {
        "status": 204,
        "headers": {
            "OData-Version": "4.0",
            "OData-EntityId": f"{ORG}/api/data/v9.2/leads(new_meridiandomain='acme.com')",
        },
        "body": None,
    },
}
UPSERT_UPDATE = {**UPSERT_CREATE, "response": UPSERT_CREATE["response"]}  # "The response is identical"

# -- "Create with upsert and return=representation preference" / "Update with Upsert and return=...":
# example_recordid renamed leadid.
UPSERT_CREATE_REPRESENTATION = {
    "request": {"headers": {"Prefer": "return=representation"}, "query": "$select=leadid"},
    "response": {
        "status": 201,
        "headers": {
            "Content-Type": "application/json; odata.metadata=minimal",
            "ETag": 'W/"71004878"',
            "Preference-Applied": "return=representation",
            "OData-Version": "4.0",
        },
        "body": {
            "@odata.context": f"{ORG}/api/data/v9.2/$metadata#leads(leadid)/$entity",
            "@odata.etag": 'W/"71004878"',
            "leadid": "ef0d112e-d70e-ed11-82e5-00224822577b",
        },
    },
}
UPSERT_UPDATE_REPRESENTATION = {
    "response": {
        "status": 200,
        "headers": {
            "Content-Type": "application/json; odata.metadata=minimal",
            "ETag": 'W/"71004880"',
            "OData-Version": "4.0",
        },
        "body": {
            "@odata.context": f"{ORG}/api/data/v9.2/$metadata#leads(leadid)/$entity",
            "@odata.etag": 'W/"71004880"',
            "leadid": "ef0d112e-d70e-ed11-82e5-00224822577b",
        },
    }
}

# -- webapi/perform-conditional-operations-using-web-api ("Prevent update in upsert", "... create ...") -
PREVENT_UPDATE = {
    "request": {"headers": {"If-None-Match": "*"}},
    "response": {
        "status": 412,
        "headers": {"OData-Version": "4.0", "Content-Type": "application/json; odata.metadata=minimal"},
        "body": {"error": {"code": "", "message": "A record with matching key values already exists."}},
    },
}
PREVENT_CREATE = {
    "request": {"headers": {"If-Match": "*"}},
    "response": {
        "status": 404,
        "headers": {"OData-Version": "4.0", "Content-Type": "application/json; odata.metadata=minimal"},
        "body": {
            "error": {"code": "", "message": "account With Id = 00000000-0000-0000-0000-000000000001 Does Not Exist"}
        },
    },
}

# -- api-limits ("Number of requests": hex code and message; "Retry operations": Retry-After in seconds) --
THROTTLED = {
    "response": {
        "status": 429,
        "headers": {"Retry-After": "17"},  # the page gives no value; "the number of seconds"
        "body": {
            "error": {
                "code": "0x80072322",
                "message": "Number of requests exceeded the limit of 6000 over time window of 300 seconds.",
            }
        },
    }
}

# -- webapi/execute-batch-operations-using-web-api, "Batch responses" (three tasks created, one GET) -----
BATCH_RESPONSE_CONTENT_TYPE = "multipart/mixed; boundary=batchresponse_01346794-f2e2-4d45-8cc2-f97e09fe8916"
BATCH_RESPONSE = crlf(
    f"""--batchresponse_01346794-f2e2-4d45-8cc2-f97e09fe8916
Content-Type: application/http
Content-Transfer-Encoding: binary

HTTP/1.1 204 No Content
OData-Version: 4.0
Location: {ORG}/api/data/v9.2/tasks(d31ba648-c592-ed11-aad1-000d3a993550)
OData-EntityId: {ORG}/api/data/v9.2/tasks(d31ba648-c592-ed11-aad1-000d3a993550)


--batchresponse_01346794-f2e2-4d45-8cc2-f97e09fe8916
Content-Type: application/http
Content-Transfer-Encoding: binary

HTTP/1.1 204 No Content
OData-Version: 4.0
Location: {ORG}/api/data/v9.2/tasks(d41ba648-c592-ed11-aad1-000d3a993550)
OData-EntityId: {ORG}/api/data/v9.2/tasks(d41ba648-c592-ed11-aad1-000d3a993550)


--batchresponse_01346794-f2e2-4d45-8cc2-f97e09fe8916
Content-Type: application/http
Content-Transfer-Encoding: binary

HTTP/1.1 204 No Content
OData-Version: 4.0
Location: {ORG}/api/data/v9.2/tasks(d51ba648-c592-ed11-aad1-000d3a993550)
OData-EntityId: {ORG}/api/data/v9.2/tasks(d51ba648-c592-ed11-aad1-000d3a993550)


--batchresponse_01346794-f2e2-4d45-8cc2-f97e09fe8916
Content-Type: application/http
Content-Transfer-Encoding: binary

HTTP/1.1 200 OK
Content-Type: application/json; odata.metadata=minimal; odata.streaming=true
OData-Version: 4.0

{{
  "@odata.context": "{ORG}/api/data/v9.2/$metadata#tasks(subject)",
  "value": [
    {{
      "@odata.etag": "W/\\"77180907\\"",
      "subject": "Task 1 in batch",
      "activityid": "d31ba648-c592-ed11-aad1-000d3a993550"
    }}
  ]
}}
--batchresponse_01346794-f2e2-4d45-8cc2-f97e09fe8916--
"""
)

# -- same page, "Change sets" response (a change set of three creates, then a GET outside it) -----------
CHANGESET_RESPONSE_CONTENT_TYPE = "multipart/mixed; boundary=batchresponse_f27ef42d-51b0-4685-bac9-f468f844de2f"
CHANGESET_RESPONSE = crlf(
    f"""--batchresponse_f27ef42d-51b0-4685-bac9-f468f844de2f
Content-Type: multipart/mixed; boundary=changesetresponse_64cc3fff-023a-45b0-b29d-df21583ffa15

--changesetresponse_64cc3fff-023a-45b0-b29d-df21583ffa15
Content-Type: application/http
Content-Transfer-Encoding: binary
Content-ID: 1

HTTP/1.1 204 No Content
OData-Version: 4.0
Location: {ORG}/api/data/v9.2/tasks(e73ffc82-e292-ed11-aad1-000d3a9933c9)
OData-EntityId: {ORG}/api/data/v9.2/tasks(e73ffc82-e292-ed11-aad1-000d3a9933c9)


--changesetresponse_64cc3fff-023a-45b0-b29d-df21583ffa15
Content-Type: application/http
Content-Transfer-Encoding: binary
Content-ID: 2

HTTP/1.1 204 No Content
OData-Version: 4.0
Location: {ORG}/api/data/v9.2/tasks(e83ffc82-e292-ed11-aad1-000d3a9933c9)
OData-EntityId: {ORG}/api/data/v9.2/tasks(e83ffc82-e292-ed11-aad1-000d3a9933c9)


--changesetresponse_64cc3fff-023a-45b0-b29d-df21583ffa15
Content-Type: application/http
Content-Transfer-Encoding: binary
Content-ID: 3

HTTP/1.1 204 No Content
OData-Version: 4.0
Location: {ORG}/api/data/v9.2/tasks(e93ffc82-e292-ed11-aad1-000d3a9933c9)
OData-EntityId: {ORG}/api/data/v9.2/tasks(e93ffc82-e292-ed11-aad1-000d3a9933c9)


--changesetresponse_64cc3fff-023a-45b0-b29d-df21583ffa15--
--batchresponse_f27ef42d-51b0-4685-bac9-f468f844de2f
Content-Type: application/http
Content-Transfer-Encoding: binary

HTTP/1.1 200 OK
Content-Type: application/json; odata.metadata=minimal; odata.streaming=true
OData-Version: 4.0

{{"@odata.context": "{ORG}/api/data/v9.2/$metadata#tasks(subject)", "value": []}}
--batchresponse_f27ef42d-51b0-4685-bac9-f468f844de2f--
"""
)

# -- same page, "Handling errors": with Prefer: odata.continue-on-error (200; the first part failed) ----
CONTINUE_ON_ERROR_CONTENT_TYPE = "multipart/mixed; boundary=batchresponse_f44bd09d-573f-4a30-bca0-2e500ee7e139"
LENGTH_ERROR = (
    '{"error":{"code":"0x80044331","message":"A validation error occurred.  The length of the \'subject\' '
    "attribute of the 'task' entity exceeded the maximum allowed length of '200'.\"}}"
)
CONTINUE_ON_ERROR_RESPONSE = crlf(
    f"""--batchresponse_f44bd09d-573f-4a30-bca0-2e500ee7e139
Content-Type: application/http
Content-Transfer-Encoding: binary

HTTP/1.1 400 Bad Request
REQ_ID: de4c5227-4a28-4ebd-8ced-3392ece1697b
Content-Type: application/json; odata.metadata=minimal
OData-Version: 4.0

{LENGTH_ERROR}
--batchresponse_f44bd09d-573f-4a30-bca0-2e500ee7e139
Content-Type: application/http
Content-Transfer-Encoding: binary

HTTP/1.1 204 No Content
OData-Version: 4.0
Location: {ORG}/api/data/v9.2/tasks(aed2ae8b-3c94-ed11-aad1-000d3a9933c9)
OData-EntityId: {ORG}/api/data/v9.2/tasks(aed2ae8b-3c94-ed11-aad1-000d3a9933c9)


--batchresponse_f44bd09d-573f-4a30-bca0-2e500ee7e139
Content-Type: application/http
Content-Transfer-Encoding: binary

HTTP/1.1 204 No Content
OData-Version: 4.0
Location: {ORG}/api/data/v9.2/tasks(b181a991-3c94-ed11-aad1-000d3a9933c9)
OData-EntityId: {ORG}/api/data/v9.2/tasks(b181a991-3c94-ed11-aad1-000d3a9933c9)


--batchresponse_f44bd09d-573f-4a30-bca0-2e500ee7e139--
"""
)

# -- same example without continue-on-error: the batch answers 400 and stops at the first failure ------
STOPPED_CONTENT_TYPE = "multipart/mixed; boundary=batchresponse_156da4b8-cd2c-4862-a911-4aaab97c001a"
STOPPED_RESPONSE = crlf(
    f"""--batchresponse_156da4b8-cd2c-4862-a911-4aaab97c001a
Content-Type: application/http
Content-Transfer-Encoding: binary

HTTP/1.1 400 Bad Request
REQ_ID: 5ecd1cb3-1730-4ffc-909c-d44c22270026
Content-Type: application/json; odata.metadata=minimal
OData-Version: 4.0

{LENGTH_ERROR}
--batchresponse_156da4b8-cd2c-4862-a911-4aaab97c001a--
"""
)

# -- troubleshoot/power-platform/power-apps/dataverse/web-api-client-errors, "Invalid property" -------
INVALID_PROPERTY = {
    "status": 400,
    "body": {
        "error": {
            "code": "0x0",
            "message": "An error occurred while validating input parameters: Microsoft.Crm.CrmException: "
            "Invalid property 'Name' was found in entity 'Microsoft.Dynamics.CRM.account'.",
        }
    },
}

# -- SAP: calm-project-task-api.ipynb (outputs of "Perform GET request to retrieve list of all projects",
# "Read Task list from selected project", "Get Task Details", "Modify Task") -----------------------------
CALM_PROJECTS = [
    {"id": "5e013b69-d603-4f59-afee-ea2024392a28", "name": "Juni test project 3", "status": "O"},
    {"id": "17a825f9-b4b5-4685-8396-59d5c80dc15c", "name": "Gordon Demo Project", "status": "O"},
    {"id": "2495d431-04c8-4550-bd63-d8d3bc9cacbc", "name": "fixIssue", "status": "C"},
]
CALM_PROJECT_ID = "17a825f9-b4b5-4685-8396-59d5c80dc15c"
CALM_TASK_LIST_ITEM = {  # the list's columns; no description, no timebox
    "id": "6726e8aa-555a-4be4-9f96-89c69aaacd54",
    "projectId": CALM_PROJECT_ID,
    "title": "Edit Action Data and Change Visibility of Test...",
    "type": "CALMTMPL",
    "status": "CIPTKOPEN",
    "externalId": None,
    "dueDate": "2021-08-07",
    "priorityId": 30,
    "assigneeId": None,
    "assigneeName": None,
}
CALM_TASK_DETAIL = {
    "id": "f03a72ea-f53b-4267-aac7-3938203cfe5f",
    "projectId": CALM_PROJECT_ID,
    "title": "Notebook API test task 2021-07-29T16:16:57.814860",
    "type": "CALMTASK",
    "status": "CIPTKOPEN",
    "externalId": None,
    "dueDate": "2021-07-25",
    "priorityId": 30,
    "assigneeId": "tom.petty@sap-test.de",
    "assigneeName": "tom.petty@sap-test.de",
    "timeboxName": "Prepare",
    "timeboxStartDate": "2021-07-19",
    "timeboxEndDate": "2021-07-25",
    "description": "test description. hello world",
}
CALM_TASK_CREATE_REQUEST = {  # "Create Task": POST /api/calm-tasks/v1/tasks -> 201 Created, json()['id']
    "projectId": CALM_PROJECT_ID,
    "title": "Notebook API test task 2021-07-29T16:16:57.814860",
    "type": "CALMTASK",
    "description": "test description. hello world",
    "assigneeId": "user@example.com",
}
# calm-requirements-api.ipynb, "Requirement Specifics": requirement subStatus -> main status
CALM_REQUIREMENT_STATUSES = {
    "CREATED": "CIPREQUOPEN",
    "IN_REALIZATION": "CIPREQUINP",
    "APPROVED_FOR_DEPLOYMENT": "CIPREQUINP",
    "CONFIRMED": "CIPREQUCLOSE",
    "NOT_PLANNED": "CIPREQUNO",
}

# -- SAP: calm-tm-manual-test-cases-api-v1.ipynb, section 3 (create) and 2b (scopes) ------------------
TM_CREATE_REQUEST = {
    "title": "Notebook Demo: Initial TestCase",
    "projectId": "<project_id>",
    "scopeId": "<scope_id>",
    "toReferences": [{"name": "Initial Reference Link", "url": "https://help.sap.com/docs/SAP_CLOUD_ALM"}],
    "toActivities": [
        {
            "sequence": 1,
            "toApplications": [{"title": "Fiori App: Test Preparation", "url": "https://fiori.apps.library.url"}],
            "title": "Activity 1: Setup Test Data",
            "toActions": [
                {
                    "sequence": 1,
                    "expectedResult": "User is logged in and on the main dashboard.",
                    "description": "Log in to the S/4HANA system.",
                    "title": "Action 1.1: Log in",
                }
            ],
        }
    ],
}
# The notebook reads resp.get('uuid') and resp['toActivities'][0]['uuid'] from the 201; it prints no body,
# so only those keys are transcribed (plus modifiedAt, which section 5a reads as the ETag).
TM_CREATE_RESPONSE = {
    "uuid": "0b8e1f2a-3c4d-4e5f-8a9b-0c1d2e3f4a5b",
    "modifiedAt": "2025-12-09T10:00:00.000Z",
    "toActivities": [{"uuid": "1c9f2a3b-4d5e-4f60-9b0c-1d2e3f4a5b6c"}],
}
TM_SCOPES = {"value": [{"id": "9a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "name": "Notebook Demo Scope"}]}
