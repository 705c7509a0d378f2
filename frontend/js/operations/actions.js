// Customer actions (issue 5): every mutation takes one input and returns errors { field code message }.
const ERRORS = 'errors { field code message }';
const MONEY = 'amount currency formatted';

const QUOTE = 'effectiveOn billingPeriodEnd nextInvoiceOn promoUntil proratedAmount { formatted } monthlyPrice { formatted } regularPrice { formatted } newMonthlyTotal { formatted } nextInvoiceTotal { formatted }';

/** Price and effective date before the customer confirms (the same rules addPackage applies). */
export const PACKAGE_QUOTE = /* GraphQL */ `
  query PackageQuote($serviceId: ID!, $packageId: ID!, $offerId: ID) {
    packageQuote(serviceId: $serviceId, packageId: $packageId, offerId: $offerId) { quote { ${QUOTE} } ${ERRORS} }
  }
`;

export const ADD_PACKAGE = /* GraphQL */ `
  mutation AddPackage($input: AddPackageInput!) {
    addPackage(input: $input) {
      subscription { id startsOn package { id name } }
      quote { ${QUOTE} }
      ${ERRORS}
    }
  }
`;

export const CANCEL_PACKAGE = /* GraphQL */ `
  mutation CancelPackage($input: CancelPackageInput!) {
    cancelPackage(input: $input) { subscription { id endsOn state package { id name } } ${ERRORS} }
  }
`;

export const RESET_DECODER_PIN = /* GraphQL */ `
  mutation ResetDecoderPin($input: ResetDecoderPinInput!) {
    resetDecoderPin(input: $input) { command { id kind status } ${ERRORS} }
  }
`;

export const REFRESH_SIGNAL = /* GraphQL */ `
  mutation RefreshSignal($input: RefreshSignalInput!) {
    refreshSignal(input: $input) { command { id kind status } ${ERRORS} }
  }
`;

export const COMMAND_STATUS = /* GraphQL */ `
  query CommandStatus($id: ID!) {
    node(id: $id) { ... on DeviceCommand { id kind status completedAt failureReason delayed refunded { ${MONEY} } withdrawn } }
  }
`;

export const UPDATE_CONTACT_DATA = /* GraphQL */ `
  mutation UpdateContactData($input: UpdateContactDataInput!) {
    updateContactData(input: $input) { pendingEmail ${ERRORS} }
  }
`;

export const CONFIRM_CONTACT_EMAIL = /* GraphQL */ `
  mutation ConfirmContactEmail($input: ConfirmContactEmailInput!) {
    confirmContactEmail(input: $input) { ok ${ERRORS} }
  }
`;

export const REQUEST_LOGIN_EMAIL_CHANGE = /* GraphQL */ `
  mutation RequestLoginEmailChange($input: RequestLoginEmailChangeInput!) {
    requestLoginEmailChange(input: $input) { pendingEmail ${ERRORS} }
  }
`;

export const CONFIRM_LOGIN_EMAIL = /* GraphQL */ `
  mutation ConfirmLoginEmail($input: ConfirmLoginEmailInput!) {
    confirmLoginEmail(input: $input) { email ${ERRORS} }
  }
`;

export const PAY_INVOICES = /* GraphQL */ `
  mutation PayInvoices($input: PayInvoicesInput!) {
    payInvoices(input: $input) { payment { id } redirectUrl ${ERRORS} }
  }
`;

export const TOP_UP_WALLET = /* GraphQL */ `
  mutation TopUpWallet($input: TopUpWalletInput!) {
    topUpWallet(input: $input) { payment { id } redirectUrl ${ERRORS} }
  }
`;

export const PURCHASE_VOD = /* GraphQL */ `
  mutation PurchaseVod($input: PurchaseVodInput!) {
    purchaseVod(input: $input) { purchase { id availableUntil } wallet { balance { ${MONEY} } } ${ERRORS} }
  }
`;

export const PURCHASE_PPV = /* GraphQL */ `
  mutation PurchasePpv($input: PurchaseVodInput!) {
    purchasePpv(input: $input) { purchase { id availableUntil } wallet { balance { ${MONEY} } } ${ERRORS} }
  }
`;

export const REPLY_TO_CONTACT_REQUEST = /* GraphQL */ `
  mutation ReplyToContactRequest($input: ReplyToContactRequestInput!) {
    replyToContactRequest(input: $input) { contactRequest { id status } ${ERRORS} }
  }
`;

export const SEND_CONTACT_REQUEST = /* GraphQL */ `
  mutation SendContactRequest($input: SendContactRequestInput!) {
    sendContactRequest(input: $input) { contactRequest { id } ${ERRORS} }
  }
`;

export const FILE_COMPLAINT = /* GraphQL */ `
  mutation FileComplaint($input: FileComplaintInput!) {
    fileComplaint(input: $input) { contactRequest { id complaint { number deadline acknowledgedAt } } ${ERRORS} }
  }
`;

export const MARK_MESSAGE_READ = /* GraphQL */ `
  mutation MarkMessageRead($input: MarkMessageReadInput!) {
    markMessageRead(input: $input) { ${ERRORS} }
  }
`;
