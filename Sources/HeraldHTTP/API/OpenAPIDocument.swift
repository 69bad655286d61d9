/// The admin API, as an OpenAPI 3.0 document: served at `/api/openapi.yaml`, and what the schema-driven fuzz
/// test (schemathesis) holds the server to. Kept here, in the source, so the binary serves the document of
/// the code it runs.
enum OpenAPIDocument {
    static let yaml = """
openapi: 3.0.3
info:
  title: Herald admin API
  version: "1"
  description: >-
    Campaigns, one recipient at a time, and the aggregate report. Every route needs
    `Authorization: Bearer <token>`: a token made with `herald api-tokens add NAME`, or `http.admin_token`
    (named `config`). Every change, export and problems list is audited as `api:NAME`. Errors are
    `{"error": "..."}`. An address travels only in a request body, never in a URL, and there is no way to
    list addresses.
security:
  - bearer: []
paths:
  /api/campaigns:
    get:
      operationId: listCampaigns
      summary: Every campaign with its status and counts
      responses:
        "200": {description: The campaigns, oldest first, content: {application/json: {schema: {type: array, items: {$ref: "#/components/schemas/Campaign"}}}}}
        "401": {$ref: "#/components/responses/Unauthorized"}
    post:
      operationId: createCampaign
      summary: Create a campaign, due now or at a time
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: "#/components/schemas/NewCampaign"}}}
      responses:
        "201": {description: Created, content: {application/json: {schema: {$ref: "#/components/schemas/Campaign"}}}}
        "400": {$ref: "#/components/responses/BadRequest"}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "409": {$ref: "#/components/responses/Conflict"}
        "413": {$ref: "#/components/responses/TooLarge"}
        "422": {$ref: "#/components/responses/Unprocessable"}
  /api/campaigns/{id}:
    parameters: [{$ref: "#/components/parameters/CampaignID"}]
    get:
      operationId: showCampaign
      summary: One campaign's status and per-recipient counts
      responses:
        "200": {description: The campaign, content: {application/json: {schema: {$ref: "#/components/schemas/Campaign"}}}}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "404": {$ref: "#/components/responses/NotFound"}
    patch:
      operationId: editCampaign
      summary: Change a draft, or a scheduled campaign that has not started (409 once it has)
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: "#/components/schemas/CampaignEdit"}}}
      responses:
        "200": {description: The changed campaign, content: {application/json: {schema: {$ref: "#/components/schemas/Campaign"}}}}
        "400": {$ref: "#/components/responses/BadRequest"}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "404": {$ref: "#/components/responses/NotFound"}
        "409": {$ref: "#/components/responses/Conflict"}
        "413": {$ref: "#/components/responses/TooLarge"}
        "422": {$ref: "#/components/responses/Unprocessable"}
  /api/campaigns/{id}/schedule:
    parameters: [{$ref: "#/components/parameters/CampaignID"}]
    post:
      operationId: scheduleCampaign
      summary: Schedule a draft (or move a scheduled campaign) to `at`, or now
      requestBody:
        required: true
        content: {application/json: {schema: {type: object, properties: {at: {type: string, format: date-time}}}}}
      responses:
        "200": {description: The scheduled campaign, content: {application/json: {schema: {$ref: "#/components/schemas/Campaign"}}}}
        "400": {$ref: "#/components/responses/BadRequest"}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "404": {$ref: "#/components/responses/NotFound"}
        "409": {$ref: "#/components/responses/Conflict"}
        "413": {$ref: "#/components/responses/TooLarge"}
        "422": {$ref: "#/components/responses/Unprocessable"}
  /api/campaigns/{id}/duplicate:
    parameters: [{$ref: "#/components/parameters/CampaignID"}]
    post:
      operationId: duplicateCampaign
      summary: Copy a campaign (kind, template, words, segment) as a new draft
      responses:
        "201": {description: The copy, content: {application/json: {schema: {$ref: "#/components/schemas/Campaign"}}}}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "404": {$ref: "#/components/responses/NotFound"}
        "409": {$ref: "#/components/responses/Conflict"}
  /api/segments:
    get:
      operationId: listSegments
      summary: Saved segments with the audience each reaches now, by kind (null under the report's floor)
      responses:
        "200": {description: The segments by name, content: {application/json: {schema: {type: array, items: {$ref: "#/components/schemas/Segment"}}}}}
        "401": {$ref: "#/components/responses/Unauthorized"}
    post:
      operationId: saveSegment
      summary: Save a segment expression under a name (replacing one of that name)
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [name, expression]
              properties: {name: {type: string, pattern: "^[a-z0-9][a-z0-9_-]{0,59}$"}, expression: {type: string}}
      responses:
        "201": {description: Saved, content: {application/json: {schema: {$ref: "#/components/schemas/Segment"}}}}
        "400": {$ref: "#/components/responses/BadRequest"}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "413": {$ref: "#/components/responses/TooLarge"}
        "422": {$ref: "#/components/responses/Unprocessable"}
  /api/segments/{name}:
    parameters: [{name: name, in: path, required: true, schema: {type: string}}]
    delete:
      operationId: removeSegment
      summary: Forget a saved segment
      responses:
        "200":
          description: Removed
          content:
            application/json:
              schema: {type: object, required: [removed], additionalProperties: false, properties: {removed: {type: boolean}}}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "404": {$ref: "#/components/responses/NotFound"}
  /api/campaigns/{id}/problems:
    parameters: [{$ref: "#/components/parameters/CampaignID"}]
    get:
      operationId: campaignProblems
      summary: The campaign's recipients not sent (deferred, bounced, failed, skipped), with the last reply
      responses:
        "200": {description: The problems, oldest job first, content: {application/json: {schema: {type: array, items: {$ref: "#/components/schemas/Problem"}}}}}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "404": {$ref: "#/components/responses/NotFound"}
  /api/campaigns/{id}/cancel:
    parameters: [{$ref: "#/components/parameters/CampaignID"}]
    post:
      operationId: cancelCampaign
      summary: Stop a scheduled or sending campaign; what was sent stays sent
      responses:
        "200": {description: The cancelled campaign, content: {application/json: {schema: {$ref: "#/components/schemas/Campaign"}}}}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "404": {$ref: "#/components/responses/NotFound"}
        "409": {$ref: "#/components/responses/Conflict"}
  /api/campaigns/{id}/retry:
    parameters: [{$ref: "#/components/parameters/CampaignID"}]
    post:
      operationId: retryCampaign
      summary: Queue a started campaign's failed and deferred recipients again
      responses:
        "200":
          description: The campaign and how many were queued
          content:
            application/json:
              schema:
                type: object
                required: [campaign, queued]
                additionalProperties: false
                properties:
                  campaign: {$ref: "#/components/schemas/Campaign"}
                  queued: {type: integer, minimum: 0}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "404": {$ref: "#/components/responses/NotFound"}
        "409": {$ref: "#/components/responses/Conflict"}
  /api/recipients:
    post:
      operationId: addRecipient
      summary: Register one person, or add to their registration
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: "#/components/schemas/NewRecipient"}}}
      responses:
        "200": {description: An existing registration, updated, content: {application/json: {schema: {$ref: "#/components/schemas/RecipientWritten"}}}}
        "201": {description: A new registration, content: {application/json: {schema: {$ref: "#/components/schemas/RecipientWritten"}}}}
        "400": {$ref: "#/components/responses/BadRequest"}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "413": {$ref: "#/components/responses/TooLarge"}
        "422": {$ref: "#/components/responses/Unprocessable"}
  /api/recipients/export:
    post:
      operationId: exportRecipient
      summary: Everything stored about one person (an access request)
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: "#/components/schemas/Address"}}}
      responses:
        "200": {description: The person's data, content: {application/json: {schema: {$ref: "#/components/schemas/PersonExport"}}}}
        "400": {$ref: "#/components/responses/BadRequest"}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "404": {$ref: "#/components/responses/NotFound"}
        "413": {$ref: "#/components/responses/TooLarge"}
        "422": {$ref: "#/components/responses/Unprocessable"}
  /api/recipients/erase:
    post:
      operationId: eraseRecipient
      summary: Erase one person; only a keyed hash stays, so they stay suppressed
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: "#/components/schemas/Address"}}}
      responses:
        "200":
          description: Erased
          content:
            application/json:
              schema: {type: object, required: [erased], additionalProperties: false, properties: {erased: {type: boolean}}}
        "400": {$ref: "#/components/responses/BadRequest"}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "404": {$ref: "#/components/responses/NotFound"}
        "413": {$ref: "#/components/responses/TooLarge"}
        "422": {$ref: "#/components/responses/Unprocessable"}
  /api/report:
    get:
      operationId: aggregateReport
      summary: Aggregate counts only; every cell under min_cell is null
      parameters:
        - {name: min_cell, in: query, required: false, schema: {type: integer, minimum: 1, default: 10}}
      responses:
        "200": {description: The report, content: {application/json: {schema: {$ref: "#/components/schemas/Report"}}}}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "422": {$ref: "#/components/responses/Unprocessable"}
components:
  securitySchemes:
    bearer: {type: http, scheme: bearer}
  parameters:
    CampaignID: {name: id, in: path, required: true, schema: {type: integer, format: int64, minimum: 1}}
  responses:
    BadRequest: {description: "The body is not the JSON this route takes, or claims a person's own source", content: {application/json: {schema: {$ref: "#/components/schemas/Error"}}}}
    Unauthorized: {description: Missing or wrong bearer token, content: {application/json: {schema: {$ref: "#/components/schemas/Error"}}}}
    NotFound: {description: No such campaign or person, content: {application/json: {schema: {$ref: "#/components/schemas/Error"}}}}
    Conflict: {description: The campaign's state does not allow it, content: {application/json: {schema: {$ref: "#/components/schemas/Error"}}}}
    TooLarge: {description: The body is over 64 KB, content: {application/json: {schema: {$ref: "#/components/schemas/Error"}}}}
    Unprocessable: {description: A value is wrong (unknown kind or template, bad address, under 13…), content: {application/json: {schema: {$ref: "#/components/schemas/Error"}}}}
  schemas:
    Error:
      type: object
      required: [error]
      additionalProperties: false
      properties: {error: {type: string}}
    Kind: {type: string, enum: [product-news, promotion, policy-change]}
    Purpose: {type: string, enum: [product-news, promotions]}
    OutboxState: {type: string, enum: [queued, sending, sent, deferred, bounced, skipped, failed]}
    Format: {type: string, enum: [markdown, html]}
    NewCampaign:
      type: object
      required: [kind]
      description: "a template (its own words), or subject and body (the campaign's own words, set in the kind's template, or in `template`)"
      properties:
        kind: {$ref: "#/components/schemas/Kind"}
        template: {type: string, description: a template folder's name (the frame); an unknown one is 422}
        subject: {type: string, description: "one line; may use {{first_name}}, {{attributes.NAME}}…"}
        preheader: {type: string}
        body: {type: string, description: Markdown (CommonMark) or HTML as `format` says; a variable with no value is 422 with its line}
        format: {$ref: "#/components/schemas/Format"}
        segment: {type: string, description: "product:NAME, purpose:PURPOSE, attribute:NAME=VALUE terms, comma-separated; or a saved segment's name"}
        at: {type: string, format: date-time}
        name: {type: string}
        draft: {type: boolean, description: "saved unscheduled; POST /api/campaigns/ID/schedule sends it"}
    CampaignEdit:
      type: object
      properties:
        name: {type: string}
        template: {type: string}
        subject: {type: string}
        preheader: {type: string}
        body: {type: string}
        format: {$ref: "#/components/schemas/Format"}
        segment: {type: string, description: a segment expression or saved segment's name; empty is everyone who agreed}
        at: {type: string, format: date-time}
    Words:
      type: object
      required: [subject, preheader, body, format]
      additionalProperties: false
      properties:
        subject: {type: string}
        preheader: {type: string}
        body: {type: string}
        format: {$ref: "#/components/schemas/Format"}
    Segment:
      type: object
      required: [name, expression, saved_at, sizes, fewer_than]
      additionalProperties: false
      properties:
        name: {type: string}
        expression: {type: string}
        saved_at: {type: string, format: date-time}
        sizes: {type: object, additionalProperties: {$ref: "#/components/schemas/Cell"}}
        fewer_than: {type: integer}
    Campaign:
      type: object
      required: [id, name, kind, template, status, due_at, created_at, counts]
      additionalProperties: false
      properties:
        id: {type: integer, format: int64}
        name: {type: string}
        kind: {$ref: "#/components/schemas/Kind"}
        template: {type: string}
        segment: {type: string}
        status: {type: string, enum: [draft, scheduled, sending, done, cancelled, failed]}
        due_at: {type: string, format: date-time}
        created_at: {type: string, format: date-time}
        started_at: {type: string, format: date-time}
        finished_at: {type: string, format: date-time}
        policy_version: {type: string, description: the privacy-policy version a policy-change notice announces}
        problem: {type: string, description: "why a failed campaign failed before its first message (file:line: problem)"}
        words: {$ref: "#/components/schemas/Words"}
        unsubscribes: {type: integer, minimum: 0, description: unsubscribes through this campaign's own links (a count)}
        audience: {type: integer, minimum: 0, description: how many a draft or scheduled campaign would reach now}
        counts:
          type: object
          required: [queued, sending, sent, deferred, bounced, skipped, failed]
          additionalProperties: false
          properties:
            queued: {type: integer, minimum: 0}
            sending: {type: integer, minimum: 0}
            sent: {type: integer, minimum: 0}
            deferred: {type: integer, minimum: 0}
            bounced: {type: integer, minimum: 0}
            skipped: {type: integer, minimum: 0}
            failed: {type: integer, minimum: 0}
    Problem:
      type: object
      required: [state, attempts]
      additionalProperties: false
      properties:
        email: {type: string}
        state: {$ref: "#/components/schemas/OutboxState"}
        attempts: {type: integer, minimum: 0}
        code: {type: integer}
        enhanced_status: {type: string}
        reply: {type: string}
    NewRecipient:
      type: object
      required: [email]
      properties:
        email: {type: string}
        name: {type: string}
        first_name: {type: string, description: "given on its own; else taken from name, where Petrov, Ivan is Ivan"}
        attributes: {type: object, additionalProperties: {type: string, maxLength: 200}, description: personal fields named in recipients.attributes; another name is 422}
        birthdate: {type: string, description: YYYY-MM-DD; under 13 is refused and nothing is stored}
        products: {type: array, items: {type: string}}
        consents: {type: array, items: {$ref: "#/components/schemas/Purpose"}}
        source: {type: string, description: "where the registration came from (default api); a source that stands for a person's own act (form, one-click, preferences, policy, policy-page, confirmation) is refused with 400"}
    RecipientWritten:
      type: object
      required: [id, created, consent_changes]
      additionalProperties: false
      properties:
        id: {type: integer, format: int64}
        created: {type: boolean}
        consent_changes: {type: integer, minimum: 0}
    Address:
      type: object
      required: [email]
      properties: {email: {type: string}}
    PersonExport:
      type: object
      required: [products, consents, consent_ledger, messages, waiting_registrations, not_stored]
      additionalProperties: false
      properties:
        recipient:
          type: object
          required: [id, email, source, registered_at]
          additionalProperties: false
          properties:
            id: {type: integer, format: int64}
            email: {type: string}
            name: {type: string}
            birth_year: {type: integer}
            first_name: {type: string}
            attributes: {type: object, additionalProperties: {type: string}}
            source: {type: string}
            registered_at: {type: string, format: date-time}
        products: {type: array, items: {type: string}}
        consents:
          type: array
          items:
            type: object
            required: [purpose, granted, since]
            additionalProperties: false
            properties: {purpose: {$ref: "#/components/schemas/Purpose"}, granted: {type: boolean}, since: {type: string, format: date-time},
                         policy_version: {type: string, description: the privacy-policy version the current choice was made under}}
        consent_ledger:
          type: array
          items:
            type: object
            required: [action, source, recorded_at]
            additionalProperties: false
            properties:
              purpose: {$ref: "#/components/schemas/Purpose"}
              action: {type: string, enum: [grant, revoke, accept, decline], description: "accept and decline: a choice on a materially changed policy (policy_version)"}
              source: {type: string}
              policy_version: {type: string}
              notice_hash: {type: string}
              recorded_at: {type: string, format: date-time}
        messages:
          type: array
          items:
            type: object
            required: [campaign_id, campaign_name, kind, state, attempts, queued_at]
            additionalProperties: false
            properties:
              campaign_id: {type: integer, format: int64}
              campaign_name: {type: string}
              kind: {$ref: "#/components/schemas/Kind"}
              state: {$ref: "#/components/schemas/OutboxState"}
              attempts: {type: integer}
              queued_at: {type: string, format: date-time}
              finished_at: {type: string, format: date-time}
              last_code: {type: integer}
              last_enhanced_status: {type: string}
              last_reply: {type: string}
        suppression:
          type: object
          required: [reason, created_at]
          additionalProperties: false
          properties:
            reason: {type: string, enum: [unsubscribed-all, bounced, complaint, manual, erased]}
            created_at: {type: string, format: date-time}
        waiting_registrations:
          type: array
          description: registrations of this address still waiting for their confirmation, kept until confirmed or 7 days old
          items:
            type: object
            required: [email, products, purposes, requested_at]
            additionalProperties: false
            properties:
              email: {type: string}
              name: {type: string}
              birth_year: {type: integer}
              products: {type: array, items: {type: string}}
              purposes: {type: array, items: {$ref: "#/components/schemas/Purpose"}}
              requested_at: {type: string, format: date-time}
              mail: {$ref: "#/components/schemas/OutboxState"}
        not_stored: {type: array, items: {type: string}}
    Cell: {type: integer, nullable: true, minimum: 0}
    Report:
      type: object
      required: [min_cell, recipients, by_purpose, by_product, by_age_band, suppressions_by_reason, messages_by_status]
      additionalProperties: false
      properties:
        min_cell: {type: integer, minimum: 1}
        recipients: {$ref: "#/components/schemas/Cell"}
        by_purpose:
          type: object
          additionalProperties:
            type: object
            required: [granted, revoked, never]
            additionalProperties: false
            properties: {granted: {$ref: "#/components/schemas/Cell"}, revoked: {$ref: "#/components/schemas/Cell"}, never: {$ref: "#/components/schemas/Cell"}}
        by_product: {type: object, additionalProperties: {$ref: "#/components/schemas/Cell"}}
        by_age_band: {type: object, additionalProperties: {$ref: "#/components/schemas/Cell"}}
        suppressions_by_reason: {type: object, additionalProperties: {$ref: "#/components/schemas/Cell"}}
        messages_by_status: {type: object, additionalProperties: {$ref: "#/components/schemas/Cell"}}
"""
}
