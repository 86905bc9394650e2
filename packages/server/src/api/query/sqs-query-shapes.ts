/**
 * SQS's operations in the query protocol (API version 2012-11-05): the parameter and element names of
 * each input and output member, as the query-era service model named them. Members are keyed by their
 * JSON names, so a decoded form is exactly the input api/operations/sqs.ts reads and its output renders
 * here unchanged.
 */
import type { QueryMember, QueryShape, StructureShape } from './query-shapes.js';

export interface QueryOperation {
  input: StructureShape;
  /** The members of `<Action>Result`; absent for operations that answer only ResponseMetadata. */
  output?: StructureShape;
}

const STRING: QueryShape = { kind: 'string' };
const INTEGER: QueryShape = { kind: 'integer' };
const BOOLEAN: QueryShape = { kind: 'boolean' };

function structure(members: Record<string, QueryMember | QueryShape>): StructureShape {
  return {
    kind: 'structure',
    members: Object.fromEntries(
      Object.entries(members).map(([name, member]) => [name, 'kind' in member ? { shape: member } : member]),
    ),
  };
}

function list(member: QueryShape): QueryShape {
  return { kind: 'list', member };
}

/** `Attribute.N.Name` / `Attribute.N.Value`: queue attributes and message system attributes. */
const NAME_VALUE_MAP: QueryShape = { kind: 'map', keyName: 'Name', valueName: 'Value', value: STRING };
/** `Tag.N.Key` / `Tag.N.Value`. */
const TAG_MAP: QueryShape = { kind: 'map', keyName: 'Key', valueName: 'Value', value: STRING };

/** `MessageAttribute.N.Name` and `MessageAttribute.N.Value.DataType/StringValue/BinaryValue`. */
const MESSAGE_ATTRIBUTE_MAP: QueryShape = {
  kind: 'map',
  keyName: 'Name',
  valueName: 'Value',
  value: structure({
    StringValue: STRING,
    // Blobs travel as base64 text in this protocol, as in JSON.
    BinaryValue: STRING,
    StringListValues: { shape: list(STRING), name: 'StringListValue' },
    BinaryListValues: { shape: list(STRING), name: 'BinaryListValue' },
    DataType: STRING,
  }),
};

const QUEUE_ATTRIBUTES: QueryMember = { shape: NAME_VALUE_MAP, name: 'Attribute' };
const TAGS: QueryMember = { shape: TAG_MAP, name: 'Tag' };
const MESSAGE_ATTRIBUTES: QueryMember = { shape: MESSAGE_ATTRIBUTE_MAP, name: 'MessageAttribute' };
const MESSAGE_SYSTEM_ATTRIBUTES: QueryMember = {
  shape: MESSAGE_ATTRIBUTE_MAP,
  name: 'MessageSystemAttribute',
};

const BATCH_FAILURES: QueryMember = {
  shape: list(structure({ Id: STRING, SenderFault: BOOLEAN, Code: STRING, Message: STRING })),
  name: 'BatchResultErrorEntry',
};

const QUEUE_URL_ONLY = structure({ QueueUrl: STRING });

const SEND_RESULT_MEMBERS = {
  MD5OfMessageBody: STRING,
  MD5OfMessageAttributes: STRING,
  MD5OfMessageSystemAttributes: STRING,
  MessageId: STRING,
  SequenceNumber: STRING,
};

export const SQS_QUERY_OPERATIONS: Readonly<Record<string, QueryOperation>> = {
  CreateQueue: {
    input: structure({ QueueName: STRING, Attributes: QUEUE_ATTRIBUTES, tags: TAGS }),
    output: structure({ QueueUrl: STRING }),
  },
  GetQueueUrl: {
    input: structure({ QueueName: STRING, QueueOwnerAWSAccountId: STRING }),
    output: structure({ QueueUrl: STRING }),
  },
  ListQueues: {
    input: structure({ QueueNamePrefix: STRING, NextToken: STRING, MaxResults: INTEGER }),
    output: structure({ QueueUrls: { shape: list(STRING), name: 'QueueUrl' }, NextToken: STRING }),
  },
  DeleteQueue: { input: QUEUE_URL_ONLY },
  GetQueueAttributes: {
    input: structure({ QueueUrl: STRING, AttributeNames: { shape: list(STRING), name: 'AttributeName' } }),
    output: structure({ Attributes: QUEUE_ATTRIBUTES }),
  },
  SetQueueAttributes: { input: structure({ QueueUrl: STRING, Attributes: QUEUE_ATTRIBUTES }) },
  PurgeQueue: { input: QUEUE_URL_ONLY },
  SendMessage: {
    input: structure({
      QueueUrl: STRING,
      MessageBody: STRING,
      DelaySeconds: INTEGER,
      MessageAttributes: MESSAGE_ATTRIBUTES,
      MessageSystemAttributes: MESSAGE_SYSTEM_ATTRIBUTES,
      MessageDeduplicationId: STRING,
      MessageGroupId: STRING,
    }),
    output: structure(SEND_RESULT_MEMBERS),
  },
  SendMessageBatch: {
    input: structure({
      QueueUrl: STRING,
      Entries: {
        shape: list(
          structure({
            Id: STRING,
            MessageBody: STRING,
            DelaySeconds: INTEGER,
            MessageAttributes: MESSAGE_ATTRIBUTES,
            MessageSystemAttributes: MESSAGE_SYSTEM_ATTRIBUTES,
            MessageDeduplicationId: STRING,
            MessageGroupId: STRING,
          }),
        ),
        name: 'SendMessageBatchRequestEntry',
      },
    }),
    output: structure({
      Successful: {
        shape: list(structure({ Id: STRING, ...SEND_RESULT_MEMBERS })),
        name: 'SendMessageBatchResultEntry',
      },
      Failed: BATCH_FAILURES,
    }),
  },
  ReceiveMessage: {
    input: structure({
      QueueUrl: STRING,
      AttributeNames: { shape: list(STRING), name: 'AttributeName' },
      MessageSystemAttributeNames: { shape: list(STRING), name: 'MessageSystemAttributeName' },
      MessageAttributeNames: { shape: list(STRING), name: 'MessageAttributeName' },
      MaxNumberOfMessages: INTEGER,
      VisibilityTimeout: INTEGER,
      WaitTimeSeconds: INTEGER,
      ReceiveRequestAttemptId: STRING,
    }),
    output: structure({
      Messages: {
        shape: list(
          structure({
            MessageId: STRING,
            ReceiptHandle: STRING,
            MD5OfBody: STRING,
            Body: STRING,
            Attributes: QUEUE_ATTRIBUTES,
            MD5OfMessageAttributes: STRING,
            MessageAttributes: MESSAGE_ATTRIBUTES,
          }),
        ),
        name: 'Message',
      },
    }),
  },
  DeleteMessage: { input: structure({ QueueUrl: STRING, ReceiptHandle: STRING }) },
  DeleteMessageBatch: {
    input: structure({
      QueueUrl: STRING,
      Entries: {
        shape: list(structure({ Id: STRING, ReceiptHandle: STRING })),
        name: 'DeleteMessageBatchRequestEntry',
      },
    }),
    output: structure({
      Successful: { shape: list(structure({ Id: STRING })), name: 'DeleteMessageBatchResultEntry' },
      Failed: BATCH_FAILURES,
    }),
  },
  ChangeMessageVisibility: {
    input: structure({ QueueUrl: STRING, ReceiptHandle: STRING, VisibilityTimeout: INTEGER }),
  },
  ChangeMessageVisibilityBatch: {
    input: structure({
      QueueUrl: STRING,
      Entries: {
        shape: list(structure({ Id: STRING, ReceiptHandle: STRING, VisibilityTimeout: INTEGER })),
        name: 'ChangeMessageVisibilityBatchRequestEntry',
      },
    }),
    output: structure({
      Successful: { shape: list(structure({ Id: STRING })), name: 'ChangeMessageVisibilityBatchResultEntry' },
      Failed: BATCH_FAILURES,
    }),
  },
  TagQueue: { input: structure({ QueueUrl: STRING, Tags: TAGS }) },
  UntagQueue: {
    input: structure({ QueueUrl: STRING, TagKeys: { shape: list(STRING), name: 'TagKey' } }),
  },
  ListQueueTags: { input: QUEUE_URL_ONLY, output: structure({ Tags: TAGS }) },
};
