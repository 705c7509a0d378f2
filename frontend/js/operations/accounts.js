// GraphQL operations of the front door (issue 3). tests/api/test_spa_operations.py extracts
// every /* GraphQL */ template below and validates it against the schema.
const ERRORS = 'errors { field code message }';

export const CAPTCHA = /* GraphQL */ `
  query Captcha {
    captcha { id question accessibleQuestion proofChallenge }
  }
`;

export const REGISTER = /* GraphQL */ `
  mutation Register($input: RegisterInput!) {
    register(input: $input) { ${ERRORS} }
  }
`;

export const CONFIRM_EMAIL = /* GraphQL */ `
  mutation ConfirmEmail($input: ConfirmEmailInput!) {
    confirmEmail(input: $input) { ${ERRORS} }
  }
`;

export const RESEND_CONFIRMATION = /* GraphQL */ `
  mutation ResendConfirmation($input: ResendConfirmationInput!) {
    resendConfirmation(input: $input) { ${ERRORS} }
  }
`;

export const LOGIN = /* GraphQL */ `
  mutation Login($input: LoginInput!) {
    login(input: $input) { secondFactorRequired ticket ${ERRORS} }
  }
`;

export const COMPLETE_LOGIN = /* GraphQL */ `
  mutation CompleteLogin($input: CompleteLoginInput!) {
    completeLogin(input: $input) { ${ERRORS} }
  }
`;

export const LOGOUT = /* GraphQL */ `
  mutation Logout {
    logout { ${ERRORS} }
  }
`;

export const REQUEST_PASSWORD_RESET = /* GraphQL */ `
  mutation RequestPasswordReset($input: RequestPasswordResetInput!) {
    requestPasswordReset(input: $input) { ${ERRORS} }
  }
`;

export const RESET_PASSWORD = /* GraphQL */ `
  mutation ResetPassword($input: ResetPasswordInput!) {
    resetPassword(input: $input) { ${ERRORS} }
  }
`;

export const PASSWORD_STRENGTH = /* GraphQL */ `
  query PasswordStrength(
    $password: String!, $email: String, $identifier: String, $pesel: String, $resetToken: String
  ) {
    passwordStrength(
      password: $password, email: $email, identifier: $identifier, pesel: $pesel, resetToken: $resetToken
    ) {
      score acceptable code message warning
    }
  }
`;

export const CHANGE_PASSWORD = /* GraphQL */ `
  mutation ChangePassword($input: ChangePasswordInput!) {
    changePassword(input: $input) { ${ERRORS} }
  }
`;

/** Who is logged in, and the session deadline for the countdown. */
export const ME = /* GraphQL */ `
  query Me {
    serverTime
    viewer {
      customerNumber
      session { expiresAt idleTimeoutSeconds }
    }
  }
`;

/** Background poll (sent with X-Icok-Background: 1, does not extend the session). */
export const SESSION_POLL = /* GraphQL */ `
  query SessionPoll {
    serverTime
    viewer { session { expiresAt idleTimeoutSeconds } }
  }
`;

/** "Stay signed in": an ordinary request, so the server extends the idle timer. */
export const KEEP_ALIVE = /* GraphQL */ `
  query KeepAlive {
    serverTime
    viewer { session { expiresAt idleTimeoutSeconds } }
  }
`;

const ACTIVITY_PAGE = 'totalCount nodes { id kind title summary createdAt ip userAgent } pageInfo { hasNextPage endCursor }';

export const SECURITY = /* GraphQL */ `
  query Security {
    viewer {
      sessions { id current device createdAt lastActivityAt ip userAgent }
      deviceLogins { id current deviceName device ip lastUsedAt expiresAt }
      loginEmail { email }
      secondFactor { enabled recoveryCodesLeft }
      activity(first: 10) { ${ACTIVITY_PAGE} }
    }
  }
`;

export const START_SECOND_FACTOR = /* GraphQL */ `
  mutation StartSecondFactor {
    startSecondFactor { setup { secret qrCode } ${ERRORS} }
  }
`;

export const CONFIRM_SECOND_FACTOR = /* GraphQL */ `
  mutation ConfirmSecondFactor($input: SecondFactorCodeInput!) {
    confirmSecondFactor(input: $input) { recoveryCodes ${ERRORS} }
  }
`;

export const RENEW_RECOVERY_CODES = /* GraphQL */ `
  mutation RenewRecoveryCodes($input: SecondFactorCodeInput!) {
    renewRecoveryCodes(input: $input) { recoveryCodes ${ERRORS} }
  }
`;

export const DISABLE_SECOND_FACTOR = /* GraphQL */ `
  mutation DisableSecondFactor($input: DisableSecondFactorInput!) {
    disableSecondFactor(input: $input) { ${ERRORS} }
  }
`;

export const MORE_ACTIVITY = /* GraphQL */ `
  query MoreActivity($after: String!) {
    viewer { activity(first: 10, after: $after) { ${ACTIVITY_PAGE} } }
  }
`;

export const REVOKE_SESSION = /* GraphQL */ `
  mutation RevokeSession($input: RevokeSessionInput!) {
    revokeSession(input: $input) { ${ERRORS} }
  }
`;

/** Ends a mobile app's device login: its refresh tokens and access token. */
export const REVOKE_DEVICE_LOGIN = /* GraphQL */ `
  mutation RevokeDeviceLogin($input: RevokeDeviceLoginInput!) {
    revokeDeviceLogin(input: $input) { ${ERRORS} }
  }
`;

export const LOGOUT_OTHER_SESSIONS = /* GraphQL */ `
  mutation LogoutOtherSessions {
    logoutOtherSessions { ${ERRORS} }
  }
`;

/** The terms of service or the personal-data clause, in the request's language. */
export const LEGAL_TEXT = /* GraphQL */ `
  query LegalText($document: LegalDocument!) {
    legalText(document: $document) { language html }
  }
`;
