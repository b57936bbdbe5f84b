import type { HttpResponse, RequestSpec } from './http-request';
import { sendRequest } from './http-request';
import type { FlowContext } from './outcome';

/** What a flow says of one request: the rest (CA, deadline) comes from the check's context. */
export type FlowRequest = Omit<RequestSpec, 'caCertificate' | 'deadline'>;

/** Sends one request of a check with the check's CA and deadline, and shows the answer to `context.observe`. */
export async function sendInFlow(context: FlowContext, request: FlowRequest): Promise<HttpResponse> {
  const response = await sendRequest({ ...request, caCertificate: context.caCertificate, deadline: context.deadline });
  context.observe?.(response);
  return response;
}
