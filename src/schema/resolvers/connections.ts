import type {
  BatchConnectionResolvers,
  BatchRecordConnectionResolvers,
  DatasetConnectionResolvers,
  ExportJobConnectionResolvers,
} from '../resolvers.generated';

// `totalCount` is a resolver of its own so its query runs only when a client selects it.
export const ExportJobConnection: ExportJobConnectionResolvers = {
  totalCount: (connection) => connection.countTotal(),
};

export const DatasetConnection: DatasetConnectionResolvers = {
  totalCount: (connection) => connection.countTotal(),
};

export const BatchConnection: BatchConnectionResolvers = {
  totalCount: (connection) => connection.countTotal(),
};

export const BatchRecordConnection: BatchRecordConnectionResolvers = {
  totalCount: (connection) => connection.countTotal(),
};
