// GraphQL operations of the console's customer search and customer view (issue 14 item 2).
// Every /* GraphQL */ template below is validated against the console schema by a test.
// Each customer query is audited on the server with the fields it selects.
const ERRORS = 'errors { field code message }';
const MONEY = 'amount formatted';

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
      id customerNumber
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
      invoices(first: 24) {
        totalCount
        nodes { id number periodStart periodEnd issuedOn dueOn status overdue gross { ${MONEY} } }
      }
      upcomingPayments { totalDue { ${MONEY} } overdueTotal { ${MONEY} } overdueCount }
      payments(first: 24) {
        totalCount
        nodes { id title purpose method status amount { ${MONEY} } createdAt paidAt }
      }
      wallet {
        balance { ${MONEY} }
        transactions(first: 24) {
          totalCount
          nodes { id kind description amount { ${MONEY} } balanceAfter { ${MONEY} } createdAt }
        }
      }
      messages(first: 24) {
        totalCount
        nodes { id subject urgent broadcast publishedAt read }
      }
      contactRequests { id number kind topic subject status createdAt }
      activity(first: 24) {
        totalCount
        nodes { id kind title summary ip createdAt }
      }
    }
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
