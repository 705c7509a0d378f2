"""GraphQL documents shared by the customer-graph tests and the benchmark."""

WHOLE_GRAPH = """
query Whole {
  viewer {
    customerNumber
    profile { fullName peselMasked address { city } consents { email } language }
    monthlyTotal { amount formatted }
    contracts {
      id number signedOn endsOn daysRemaining status monthlyTotal { amount }
      services {
        id kind identifier status suspensionReason
        monthlyTotal { amount }
        subscriptions { id state startsOn endsOn monthlyPrice { amount }
          package { id name kind channels { name } } }
        availablePackages { id code name kind monthlyPrice { amount formatted } channelCount
          channels { name category hd } requiresBase { code } }
        usage { dataUsedMb dataLimitMb percentUsed remainingMb periodStart periodEnd }
        devices { id kind serialNumber recentCommands { id kind status } }
        contract { number }
      }
    }
    devices { id kind model serialNumber ownership installedOn supportsPinReset
      service { identifier } recentCommands { id kind status requestedAt device { serialNumber } } }
    invoices(first: 100) {
      totalCount pageInfo { hasNextPage endCursor }
      edges { cursor node { id number issuedOn dueOn status overdue daysOverdue pdfUrl
        net { amount } vat { amount } gross { amount formatted }
        lines { position description vatRate net { amount } vat { amount } gross { amount } }
        payments { id status } } }
    }
    upcomingPayments { totalDue { amount } overdueTotal { amount } overdueCount
      invoices { number } nextCharge { issuedOn dueOn amount { amount } } }
    payments(first: 100) { totalCount edges { node { id purpose amount { amount } method status
      invoices { number lines { position } } } } }
    wallet { balance { amount formatted } transactions(first: 100) { totalCount
      edges { node { id kind amount { amount } balanceAfter { amount }
        purchase { id title { name } } } } } }
    vodCatalogue { id name kind price { amount } activePurchase { id availableUntil } }
    purchases { id price { amount } active title { name } }
    messages(first: 100) { totalCount edges { node { id subject urgent broadcast read readAt } } }
    unreadMessageCount
    offers { id title monthlyPrice { amount } package { name channels { name } } }
    contactRequests { id topic subject status replies { author body } }
    activity(first: 100) { totalCount edges { node { id kind ip createdAt summary } } }
  }
}
"""

DASHBOARD = """
query Dashboard {
  viewer {
    dashboard {
      upcomingPayments { totalDue { amount formatted } overdueCount
        invoices { id number dueOn gross { formatted } overdue pdfUrl }
        nextCharge { issuedOn amount { formatted } } }
      tvPackages { id state package { name channelCount } monthlyPrice { formatted } }
      availableTvPackages { id name monthlyPrice { formatted } channels { name } }
      featuredTitles { id name kind price { formatted } activePurchase { id } }
      unreadMessageCount
      urgentMessages { id subject }
    }
  }
}
"""
