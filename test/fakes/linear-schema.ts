import { buildSchema, type GraphQLSchema } from 'graphql';

/*
 * The slice of Linear's public schema that FakeLinear serves. Names and nullability follow the
 * real schema so the SDK's generated documents execute unchanged.
 *
 * Fields the SDK's fragments ask for but this schema omits (cycle, project, sla*, ...) are
 * dropped from the response by graphql-js instead of failing validation: the SDK's models
 * treat a missing optional field as undefined, which is what a test wants. (Root fields are the
 * exception: FakeLinear refuses an unknown one, so an unserved operation fails instead of
 * returning empty data.) Input types are
 * the opposite: any filter/input field not declared here is rejected by variable coercion,
 * so an unsupported filter fails loudly instead of silently matching everything.
 */
const sdl = /* GraphQL */ `
  scalar DateTime
  scalar DateTimeOrDuration

  type PageInfo {
    startCursor: String
    endCursor: String
    hasPreviousPage: Boolean!
    hasNextPage: Boolean!
  }

  type Reaction {
    id: ID!
    emoji: String!
  }

  type IssueSharedAccess {
    isShared: Boolean!
    sharedWithCount: Int!
    sharedWithUsers: [User!]!
    viewerHasOnlySharedAccess: Boolean!
    disallowedIssueFields: [String!]!
  }

  type User {
    id: ID!
    name: String!
    displayName: String!
    email: String!
    active: Boolean!
    admin: Boolean!
    guest: Boolean!
    app: Boolean!
    isMe: Boolean!
    url: String!
    createdAt: DateTime!
    updatedAt: DateTime!
  }

  type Team {
    id: ID!
    key: String!
    name: String!
    displayName: String!
    private: Boolean!
    issueCount: Int!
    createdAt: DateTime!
    updatedAt: DateTime!
    states(after: String, before: String, filter: WorkflowStateFilter, first: Int, includeArchived: Boolean, last: Int, orderBy: PaginationOrderBy): WorkflowStateConnection!
  }

  type WorkflowState {
    id: ID!
    name: String!
    type: String!
    color: String!
    position: Float!
    description: String
    team: Team!
    createdAt: DateTime!
    updatedAt: DateTime!
  }

  type IssueLabel {
    id: ID!
    name: String!
    color: String!
    description: String
    isGroup: Boolean!
    team: Team
    createdAt: DateTime!
    updatedAt: DateTime!
  }

  type Comment {
    id: ID!
    body: String!
    url: String!
    issueId: String
    issue: Issue
    user: User
    reactions: [Reaction!]!
    createdAt: DateTime!
    updatedAt: DateTime!
    editedAt: DateTime
  }

  type Issue {
    id: ID!
    identifier: String!
    number: Float!
    title: String!
    description: String
    url: String!
    branchName: String!
    priority: Float!
    priorityLabel: String!
    labelIds: [String!]!
    previousIdentifiers: [String!]!
    reactions: [Reaction!]!
    sharedAccess: IssueSharedAccess!
    inheritsSharedAccess: Boolean!
    customerTicketCount: Int!
    sortOrder: Float!
    prioritySortOrder: Float!
    boardOrder: Float!
    trashed: Boolean
    team: Team!
    state: WorkflowState!
    creator: User
    assignee: User
    createdAt: DateTime!
    updatedAt: DateTime!
    startedAt: DateTime
    completedAt: DateTime
    canceledAt: DateTime
    labels(after: String, before: String, filter: IssueLabelFilter, first: Int, includeArchived: Boolean, last: Int, orderBy: PaginationOrderBy): IssueLabelConnection!
    comments(after: String, before: String, filter: CommentFilter, first: Int, includeArchived: Boolean, last: Int, orderBy: PaginationOrderBy): CommentConnection!
  }

  type IssueConnection { nodes: [Issue!]! pageInfo: PageInfo! }
  type IssueLabelConnection { nodes: [IssueLabel!]! pageInfo: PageInfo! }
  type CommentConnection { nodes: [Comment!]! pageInfo: PageInfo! }
  type WorkflowStateConnection { nodes: [WorkflowState!]! pageInfo: PageInfo! }

  type CommentPayload { lastSyncId: Float! comment: Comment! success: Boolean! }
  type IssuePayload { lastSyncId: Float! issue: Issue success: Boolean! }

  enum PaginationOrderBy { createdAt updatedAt }
  enum PaginationSortOrder { Ascending Descending }

  input StringComparator { eq: String neq: String in: [String!] nin: [String!] eqIgnoreCase: String containsIgnoreCase: String }
  input IDComparator { eq: ID neq: ID in: [ID!] nin: [ID!] }
  input DateComparator { eq: DateTimeOrDuration gt: DateTimeOrDuration gte: DateTimeOrDuration lt: DateTimeOrDuration lte: DateTimeOrDuration }

  input TeamFilter { id: IDComparator key: StringComparator name: StringComparator }
  input WorkflowStateFilter { id: IDComparator name: StringComparator type: StringComparator team: TeamFilter }
  input IssueLabelFilter { id: IDComparator name: StringComparator }
  input IssueLabelCollectionFilter { id: IDComparator name: StringComparator some: IssueLabelFilter }
  input CommentFilter { id: IDComparator }
  input IssueFilter {
    id: IDComparator
    team: TeamFilter
    state: WorkflowStateFilter
    labels: IssueLabelCollectionFilter
    createdAt: DateComparator
    updatedAt: DateComparator
    and: [IssueFilter!]
    or: [IssueFilter!]
  }
  input CreatedAtSort { order: PaginationSortOrder }
  input UpdatedAtSort { order: PaginationSortOrder }
  input IssueSortInput { createdAt: CreatedAtSort updatedAt: UpdatedAtSort }

  input CommentCreateInput { issueId: String body: String }
  input IssueUpdateInput { stateId: String assigneeId: String labelIds: [String!] title: String description: String priority: Int }

  type Query {
    comment(hash: String, id: String): Comment!
    issue(id: String!): Issue!
    issues(after: String, before: String, filter: IssueFilter, first: Int, includeArchived: Boolean, last: Int, orderBy: PaginationOrderBy, sort: [IssueSortInput!]): IssueConnection!
    team(id: String!): Team!
    user(id: String!): User!
    workflowState(id: String!): WorkflowState!
    workflowStates(after: String, before: String, filter: WorkflowStateFilter, first: Int, includeArchived: Boolean, last: Int, orderBy: PaginationOrderBy): WorkflowStateConnection!
  }

  type Mutation {
    commentCreate(input: CommentCreateInput!): CommentPayload!
    issueUpdate(id: String!, input: IssueUpdateInput!): IssuePayload!
  }
`;

export const linearSchema: GraphQLSchema = buildSchema(sdl);
