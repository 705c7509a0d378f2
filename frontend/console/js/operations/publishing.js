// Publishing (supervisors): a message or an offer, one at a time, and the recent publications.

const MESSAGE = 'reference customerNumber serviceKind category subject body urgent publishedAt expiresAt publishedBy { name staff }';
const OFFER = 'reference customerNumber packageCode title description monthlyPrice { amount formatted } promoMonths validFrom validUntil publishedBy { name staff }';

export const PUBLISHED = /* GraphQL */ `
  query ConsolePublished {
    publishedMessages(first: 10) { totalCount pageInfo { hasNextPage endCursor } nodes { ${MESSAGE} } }
    publishedOffers(first: 10) { totalCount pageInfo { hasNextPage endCursor } nodes { ${OFFER} } }
  }
`;

export const MORE_MESSAGES = /* GraphQL */ `
  query ConsoleMorePublishedMessages($after: String) {
    publishedMessages(first: 10, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { ${MESSAGE} } }
  }
`;

export const MORE_OFFERS = /* GraphQL */ `
  query ConsoleMorePublishedOffers($after: String) {
    publishedOffers(first: 10, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { ${OFFER} } }
  }
`;

export const PUBLISH_MESSAGE = /* GraphQL */ `
  mutation ConsolePublishMessage($input: MessageInput!) {
    publishMessage(input: $input) { created message { ${MESSAGE} } errors { field code message } }
  }
`;

export const PUBLISH_OFFER = /* GraphQL */ `
  mutation ConsolePublishOffer($input: OfferInput!) {
    publishOffer(input: $input) { created offer { ${OFFER} } errors { field code message } }
  }
`;
