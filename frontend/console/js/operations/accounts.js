// The console's accounts: login (password, second factor, enrolment), the session, logout,
// recovery codes, and the admins' staff management.

const MEMBER = 'id email name role enrolled disabled lastLoginAt createdAt state initialPasswordExpiresAt';
const SESSION = 'stage expiresAt idleTimeoutSeconds staff { id email name role }';

export const ME = /* GraphQL */ `
  query ConsoleMe {
    serverTime
    me { ${SESSION} }
  }
`;

/** Background poll (X-Icok-Background: 1, does not extend the session). */
export const SESSION_POLL = /* GraphQL */ `
  query ConsoleSessionPoll {
    serverTime
    me { stage expiresAt idleTimeoutSeconds }
  }
`;

/** "Stay signed in": a user request, so it extends the session. */
export const KEEP_ALIVE = /* GraphQL */ `
  query ConsoleKeepAlive {
    serverTime
    me { stage expiresAt idleTimeoutSeconds }
  }
`;

export const LOGIN = /* GraphQL */ `
  mutation StaffLogin($input: StaffLoginInput!) {
    staffLogin(input: $input) {
      session { ${SESSION} }
      enrolment { secret uri qrCode }
      errors { field code message }
    }
  }
`;

export const SECOND_FACTOR = /* GraphQL */ `
  mutation StaffSecondFactor($input: StaffSecondFactorInput!) {
    staffSecondFactor(input: $input) {
      session { ${SESSION} }
      recoveryCodes
      errors { field code message }
    }
  }
`;

/** The initial password replaced at the first login (stage NEW_PASSWORD), before the code. */
export const CHANGE_INITIAL_PASSWORD = /* GraphQL */ `
  mutation StaffChangeInitialPassword($input: StaffChangeInitialPasswordInput!) {
    staffChangeInitialPassword(input: $input) {
      session { ${SESSION} }
      enrolment { secret uri qrCode }
      errors { field code message }
    }
  }
`;

/** "Your account": a new password, confirmed by the current one and a TOTP code. */
export const CHANGE_STAFF_PASSWORD = /* GraphQL */ `
  mutation ChangeStaffPassword($input: ChangeStaffPasswordInput!) {
    changeStaffPassword(input: $input) { ok errors { field code message } }
  }
`;

/** Admins: a new initial password for a member (shown once), their second factor forgotten. */
export const RESET_STAFF_PASSWORD = /* GraphQL */ `
  mutation ResetStaffPassword($input: StaffMemberInput!) {
    resetStaffPassword(input: $input) {
      member { ${MEMBER} }
      initialPassword
      errors { field code message }
    }
  }
`;

export const LOGOUT = /* GraphQL */ `
  mutation StaffLogout {
    staffLogout { ok errors { field code message } }
  }
`;

export const REGENERATE_RECOVERY_CODES = /* GraphQL */ `
  mutation RegenerateRecoveryCodes($input: RegenerateRecoveryCodesInput!) {
    regenerateRecoveryCodes(input: $input) { recoveryCodes errors { field code message } }
  }
`;

export const STAFF_MEMBERS = /* GraphQL */ `
  query StaffMembers {
    staffMembers { ${MEMBER} }
  }
`;

export const CREATE_STAFF_MEMBER = /* GraphQL */ `
  mutation CreateStaffMember($input: CreateStaffMemberInput!) {
    createStaffMember(input: $input) {
      member { ${MEMBER} }
      initialPassword
      errors { field code message }
    }
  }
`;

export const DISABLE_STAFF_MEMBER = /* GraphQL */ `
  mutation DisableStaffMember($input: StaffMemberInput!) {
    disableStaffMember(input: $input) { member { ${MEMBER} } errors { field code message } }
  }
`;

export const ENABLE_STAFF_MEMBER = /* GraphQL */ `
  mutation EnableStaffMember($input: StaffMemberInput!) {
    enableStaffMember(input: $input) { member { ${MEMBER} } errors { field code message } }
  }
`;

export const RESET_STAFF_SECOND_FACTOR = /* GraphQL */ `
  mutation ResetStaffSecondFactor($input: StaffMemberInput!) {
    resetStaffSecondFactor(input: $input) { member { ${MEMBER} } errors { field code message } }
  }
`;
