/**
 * A second, small Federation 2 subgraph for supergraph tests: it owns
 * campaigns, each of which references an export job by key, and adds a
 * `campaign` field to `ExportJob`. Served by Apollo Server over real HTTP.
 */
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';

export const CAMPAIGNS_SDL = /* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])

  type Campaign @key(fields: "id") {
    id: ID!
    name: String!
    exportJob: ExportJob
  }

  type ExportJob @key(fields: "id") {
    id: ID!
    campaign: Campaign
  }

  type Query {
    campaigns: [Campaign!]!
  }
`;

export interface Campaign {
  id: string;
  name: string;
  exportJobId: string;
}

export interface CampaignsSubgraph {
  url: string;
  close(): Promise<void>;
}

export async function startCampaignsSubgraph(campaigns: Campaign[]): Promise<CampaignsSubgraph> {
  const schema = buildSubgraphSchema({
    typeDefs: parse(CAMPAIGNS_SDL),
    resolvers: {
      Query: { campaigns: () => campaigns },
      Campaign: {
        exportJob: (campaign: Campaign) => ({ __typename: 'ExportJob', id: campaign.exportJobId }),
      },
      ExportJob: {
        campaign: (job: { id: string }) => campaigns.find((campaign) => campaign.exportJobId === job.id) ?? null,
      },
    },
  });
  const server = new ApolloServer({ schema, plugins: [ApolloServerPluginInlineTraceDisabled()] });
  const { url } = await startStandaloneServer(server, { listen: { port: 0, host: '127.0.0.1' } });
  return { url, close: () => server.stop() };
}
