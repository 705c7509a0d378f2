// Read-only GraphQL operations of the customer graph (issue 4). Validated against the schema
// by tests/api/test_spa_operations.py.
const MONEY = 'amount currency formatted';

export const DASHBOARD = /* GraphQL */ `
  query Dashboard {
    viewer {
      profile { firstName }
      dashboard {
        upcomingPayments {
          totalDue { ${MONEY} }
          overdueCount
          unpaidCount
          invoices { id number dueOn overdue gross { ${MONEY} } }
          nextCharge { issuedOn dueOn amount { ${MONEY} } }
        }
        tvPackages { id startsOn state package { id name kind } service { id identifier kind } }
        availableTvPackages { id name channelCount monthlyPrice { ${MONEY} } }
        featuredTitles { id kind name genre year price { ${MONEY} } }
        unreadMessageCount
        urgentMessages { id subject }
      }
    }
  }
`;

export const UNREAD_COUNT = /* GraphQL */ `
  query UnreadCount {
    viewer { unreadMessageCount }
  }
`;

export const YOUR_DATA = /* GraphQL */ `
  query YourData {
    viewer {
      loginEmail { email pendingEmail }
      profile {
        customerNumber firstName lastName peselMasked email phone language
        address { street postalCode city }
        consents { email sms phone }
      }
      contracts {
        id number signedOn endsOn daysRemaining status monthlyTotal { ${MONEY} }
        services {
          id kind identifier name status
          subscriptions { id startsOn endsOn state monthlyPrice { ${MONEY} } package { id name kind } }
        }
      }
    }
  }
`;

export const SERVICES = /* GraphQL */ `
  query Services {
    viewer {
      services {
        id kind identifier name status suspensionReason
        usage { dataUsedMb dataLimitMb percentUsed }
        subscriptions { id startsOn endsOn state monthlyPrice { ${MONEY} } promoUntil regularPrice { ${MONEY} } package { id name kind }
          cardCommand { id kind status failureReason delayed refunded { ${MONEY} } withdrawn } }
        availablePackages { id name kind description channelCount monthlyPrice { ${MONEY} } }
        devices { id kind model serialNumber supportsPinReset }
      }
    }
  }
`;

export const EQUIPMENT = /* GraphQL */ `
  query Equipment {
    viewer {
      devices {
        id kind model serialNumber ownership installedOn
        service { id kind identifier }
        recentCommands { id kind status requestedAt completedAt delayed refunded { ${MONEY} } withdrawn }
      }
    }
  }
`;

// Invoices and payments page through their connections ("show more"): 6 invoices (half a year
// of monthly bills) and 10 payments at a time.
const INVOICE_PAGE = 'totalCount pageInfo { hasNextPage endCursor } nodes { id number periodStart periodEnd issuedOn dueOn status overdue gross { amount currency formatted } pdfUrl }';
// A payment with what "try again" needs: the invoices it was for (still unpaid?) or its amount.
const PAYMENT_FIELDS = 'id title purpose method status createdAt paidAt failureReason amount { amount currency formatted } invoices { id status }';
const PAYMENT_PAGE = 'totalCount pageInfo { hasNextPage endCursor } nodes { id title purpose method status createdAt paidAt failureReason amount { amount currency formatted } invoices { id status } }';

const WALLET_PAGE = 'totalCount pageInfo { hasNextPage endCursor } nodes { id kind createdAt description amount { amount currency formatted } purchase { id title { id name } } }';

export const PAYMENTS = /* GraphQL */ `
  query Payments {
    viewer {
      invoices(first: 6) { ${INVOICE_PAGE} }
      payments(first: 10) { ${PAYMENT_PAGE} }
      wallet {
        balance { ${MONEY} }
        topUpMin { ${MONEY} }
        topUpMax { ${MONEY} }
        transactions(first: 10) { ${WALLET_PAGE} }
      }
      vodCatalogue { id kind name genre year durationMinutes eventStartsAt rentalHours watchableUntilIfBoughtNow price { ${MONEY} } activePurchase { id availableUntil } }
    }
  }
`;

export const INVOICES = /* GraphQL */ `
  query Invoices($status: InvoiceFilter, $after: String) {
    viewer { invoices(first: 6, status: $status, after: $after) { ${INVOICE_PAGE} } }
  }
`;

export const MORE_PAYMENTS = /* GraphQL */ `
  query MorePayments($after: String!) {
    viewer { payments(first: 10, after: $after) { ${PAYMENT_PAGE} } }
  }
`;

export const MORE_WALLET = /* GraphQL */ `
  query MoreWalletTransactions($after: String!) {
    viewer { wallet { transactions(first: 10, after: $after) { ${WALLET_PAGE} } } }
  }
`;

export const PAYMENT = /* GraphQL */ `
  query Payment($id: ID!) {
    payment(id: $id) { ${PAYMENT_FIELDS} }
  }
`;

/** The total of the invoices ticked for paying, as payInvoices will charge it. */
export const UNPAID_TOTAL = /* GraphQL */ `
  query UnpaidTotal($invoiceIds: [ID!]!) {
    viewer { unpaidTotal(invoiceIds: $invoiceIds) { ${MONEY} } }
  }
`;

export const OFFERS = /* GraphQL */ `
  query Offers {
    viewer {
      offers { id title description promoMonths validUntil personal monthlyPrice { ${MONEY} } package { id name } }
    }
  }
`;

// The complaint form's invoice picker: 24 at a time, older ones with "show older invoices".
const COMPLAINT_INVOICE_PAGE = 'totalCount pageInfo { hasNextPage endCursor } nodes { id number }';

export const COMPLAINT_INVOICES = /* GraphQL */ `
  query ComplaintInvoices($after: String!) {
    viewer { invoices(first: 24, after: $after) { ${COMPLAINT_INVOICE_PAGE} } }
  }
`;

export const CONTACT = /* GraphQL */ `
  query Contact {
    viewer {
      unreadMessageCount
      messages(first: 30) {
        nodes { id category subject body urgent publishedAt read }
      }
      profile { email }
      services { id name identifier }
      devices { id model serialNumber }
      invoices(first: 24) { ${COMPLAINT_INVOICE_PAGE} }
      contactRequests {
        id number kind topic subject body status createdAt replies { author body createdAt }
        complaint {
          number subject deadline state decision decisionReason refundMethod bankAccountMasked
          acknowledgedAt deemedAcceptedNote
          amountClaimed { ${MONEY} } amountGranted { ${MONEY} } walletCredit { amount { ${MONEY} } createdAt }
        }
      }
    }
  }
`;
