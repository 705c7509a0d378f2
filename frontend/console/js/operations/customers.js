// GraphQL operations of the console's customer search and customer view (issue 14 item 2).
// Every /* GraphQL */ template below is validated against the console schema by a test.
// Each customer query is audited on the server with the fields it selects.
const ERRORS = 'errors { field code message }';
const MONEY = 'amount formatted';
const PAGE = 'totalCount pageInfo { hasNextPage endCursor }';
const INVOICE = 'id number periodStart periodEnd issuedOn dueOn status overdue gross { amount formatted }';
const PAYMENT = 'id title purpose method status amount { amount formatted } createdAt paidAt';
const ENTRY = 'id kind description amount { amount formatted } balanceAfter { amount formatted } createdAt';
const MESSAGE = 'id subject urgent broadcast publishedAt read';
const EVENT = 'id kind title summary ip createdAt';

export const CUSTOMER_SEARCH = /* GraphQL */ `
  query CustomerSearch($query: String!) {
    customerSearch(query: $query) {
      customers {
        id customerNumber fullName email loginEmail
        services { kind identifier status }
      }
      searchedBy truncated
      ${ERRORS}
    }
  }
`;

export const CUSTOMER = /* GraphQL */ `
  query ConsoleCustomer($id: ID!) {
    customer(id: $id) {
      id customerNumber secondFactorEnabled
      profile {
        fullName peselMasked email phoneFormatted language
        address { street postalCode city }
        consents { email sms phone }
      }
      monthlyTotal { ${MONEY} }
      contracts {
        id number signedOn endsOn status monthlyTotal { ${MONEY} }
        services {
          id kind identifier name status suspensionReason activatedOn
          monthlyTotal { ${MONEY} }
          subscriptions(includeEnded: true) {
            id state startsOn endsOn monthlyPrice { ${MONEY} } package { id code name kind }
          }
          usage { dataUsedMb dataLimitMb periodStart periodEnd }
        }
      }
      devices {
        id kind model serialNumber ownership installedOn
        service { identifier }
        recentCommands { id kind status requestedAt completedAt failureReason delayed }
      }
      invoices(first: 24) { ${PAGE} nodes { ${INVOICE} } }
      upcomingPayments { totalDue { ${MONEY} } overdueTotal { ${MONEY} } overdueCount }
      payments(first: 24) { ${PAGE} nodes { ${PAYMENT} } }
      wallet {
        balance { ${MONEY} }
        transactions(first: 24) { ${PAGE} nodes { ${ENTRY} } }
      }
      messages(first: 24) { ${PAGE} nodes { ${MESSAGE} } }
      contactRequests { id number kind topic subject status createdAt complaint { number subject } }
      activity(first: 24) { ${PAGE} nodes { ${EVENT} } }
    }
  }
`;

// "Show more" on the customer screen: the next page of one list (each is audited as a look).
export const TURN_OFF_CUSTOMER_SECOND_FACTOR = /* GraphQL */ `
  mutation TurnOffCustomerSecondFactor($input: TurnOffSecondFactorInput!) {
    turnOffCustomerSecondFactor(input: $input) { ok ${ERRORS} }
  }
`;

export const CUSTOMER_INVOICES = /* GraphQL */ `
  query ConsoleCustomerInvoices($id: ID!, $after: String) {
    customer(id: $id) { id invoices(first: 24, after: $after) { ${PAGE} nodes { ${INVOICE} } } }
  }
`;

export const CUSTOMER_PAYMENTS = /* GraphQL */ `
  query ConsoleCustomerPayments($id: ID!, $after: String) {
    customer(id: $id) { id payments(first: 24, after: $after) { ${PAGE} nodes { ${PAYMENT} } } }
  }
`;

export const CUSTOMER_WALLET = /* GraphQL */ `
  query ConsoleCustomerWallet($id: ID!, $after: String) {
    customer(id: $id) { id wallet { transactions(first: 24, after: $after) { ${PAGE} nodes { ${ENTRY} } } } }
  }
`;

export const CUSTOMER_MESSAGES = /* GraphQL */ `
  query ConsoleCustomerMessages($id: ID!, $after: String) {
    customer(id: $id) { id messages(first: 24, after: $after) { ${PAGE} nodes { ${MESSAGE} } } }
  }
`;

export const CUSTOMER_ACTIVITY = /* GraphQL */ `
  query ConsoleCustomerActivity($id: ID!, $after: String) {
    customer(id: $id) { id activity(first: 24, after: $after) { ${PAGE} nodes { ${EVENT} } } }
  }
`;

export const CUSTOMER_VIEWS = /* GraphQL */ `
  query CustomerViews($id: ID!, $after: String) {
    customerViews(id: $id, first: 20, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes { at staffId staffName what }
    }
  }
`;
