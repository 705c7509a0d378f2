// The staff queue: contact requests and complaints, one request with its conversation and
// notes, and what the staff do with them. Supervisors: everyone's work and the overdue list.

const STAFF = 'id name';
const COMPLAINT = 'number subject invoice { id number } serviceIdentifier deviceSerial periodFrom periodTo amountClaimed { formatted } refundMethod bankAccount receivedAt acknowledgedAt deadline daysLeft state decision decisionReason amountGranted { formatted } decidedAt';
const ITEM = 'id number kind topic subject status createdAt updatedAt customer { id number name } assignee { id name }';

export const QUEUE = /* GraphQL */ `
  query ConsoleQueue($statuses: [ContactStatus!], $kind: ContactKind, $assigned: QueueAssigned! = ANYONE,
      $memberId: ID, $overdue: Boolean! = false, $dueWithinDays: Int, $first: Int, $after: String) {
    queue(statuses: $statuses, kind: $kind, assigned: $assigned, memberId: $memberId,
        overdue: $overdue, dueWithinDays: $dueWithinDays, first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes { ${ITEM} complaint { ${COMPLAINT} } }
    }
  }
`;

export const WORKLOAD = /* GraphQL */ `
  query ConsoleWorkload {
    workload { member { ${STAFF} } role assigned open overdue }
    unassignedWorkload { waiting open overdue }
  }
`;

export const CONTACT_REQUEST = /* GraphQL */ `
  query ConsoleContactRequest($id: ID!) {
    contactRequest(id: $id) {
      body
      request { ${ITEM} complaint { ${COMPLAINT} } }
      replies { author body createdAt staff { ${STAFF} } }
      notes { body createdAt staff { ${STAFF} } }
    }
  }
`;

export const ASSIGN_REQUEST = /* GraphQL */ `
  mutation AssignRequest($input: AssignRequestInput!) {
    assignRequest(input: $input) { request { ${ITEM} complaint { ${COMPLAINT} } } errors { field code message } }
  }
`;

export const ADD_CONTACT_NOTE = /* GraphQL */ `
  mutation AddContactNote($input: AddContactNoteInput!) {
    addContactNote(input: $input) { note { body createdAt staff { ${STAFF} } } errors { field code message } }
  }
`;

export const REPLY_TO_REQUEST = /* GraphQL */ `
  mutation ReplyToRequest($input: ReplyToRequestInput!) {
    replyToRequest(input: $input) {
      reply { author body createdAt staff { ${STAFF} } }
      request { ${ITEM} complaint { ${COMPLAINT} } }
      errors { field code message }
    }
  }
`;

export const SET_REQUEST_STATUS = /* GraphQL */ `
  mutation SetRequestStatus($input: SetRequestStatusInput!) {
    setRequestStatus(input: $input) { request { ${ITEM} complaint { ${COMPLAINT} } } errors { field code message } }
  }
`;

export const ANSWER_COMPLAINT = /* GraphQL */ `
  mutation AnswerComplaint($input: AnswerComplaintInput!) {
    answerComplaint(input: $input) { request { ${ITEM} complaint { ${COMPLAINT} } } errors { field code message } }
  }
`;
