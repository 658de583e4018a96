import { ApiError } from '../../shared/api/client';

export interface Problem {
  title: string;
  message: string;
  /** Show a link to the sign-in page (the employee may already have a way to sign in). */
  offerSignIn?: boolean;
  /** A passing problem (network, server): offer to try again. */
  retry?: boolean;
}

/** What an invitation link that does not work tells the employee, by the server's error code. */
export function invitationProblem(error: unknown): Problem {
  const code = error instanceof ApiError ? error.code : '';
  // A token that is not even shaped like ours is refused before any look-up.
  if (error instanceof ApiError && error.status === 400) return invitationProblem(new ApiError(404, 'invitations.not_found', ''));
  switch (code) {
    case 'invitations.used':
      return {
        title: 'This invitation has already been used',
        message: 'Sign in with the passkey, security key or password you set up with it. Lost it? Ask your administrator for a new invitation.',
        offerSignIn: true,
      };
    case 'invitations.expired':
      return { title: 'This invitation has expired', message: 'This invitation has expired: ask your administrator for a new one.' };
    case 'invitations.revoked':
      return {
        title: 'This invitation is no longer valid',
        message:
          'It was withdrawn, perhaps because a newer one was sent. Use the link in your latest invitation e-mail, or ask your administrator for a new one.',
      };
    case 'invitations.not_found':
      return {
        title: 'This invitation link is not valid',
        message: 'Check that you opened the whole link from your invitation e-mail, or ask your administrator for a new invitation.',
      };
    case 'invitations.employee_inactive':
      return { title: 'This account is disabled', message: 'This account is disabled. Contact your administrator.' };
    default:
      return {
        title: 'The invitation could not be opened',
        message: 'Something went wrong on our side. Try again in a moment.',
        retry: true,
      };
  }
}
