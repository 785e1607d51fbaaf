import type { FastifyReply } from 'fastify';

/** A stored request or response body, answered as stored with its content type. */
export async function sendBody(reply: FastifyReply, body: { contentType: string; text: string }): Promise<void> {
  await reply.status(200).header('content-type', body.contentType).send(body.text);
}
