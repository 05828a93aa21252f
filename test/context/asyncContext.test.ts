import { createContextKey, ROOT_CONTEXT } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { sharedContextManager } from '../../src/context/asyncContext';
import { inBackground, isBackgroundWork } from '../../src/db/backgroundWork';
import { logContextFields, withLogContext } from '../../src/logging/logContext';

const KEY = createContextKey('test key');

describe('the process async context', () => {
  it('keeps the log fields, the background flag and the trace context apart, across awaits', async () => {
    const traced = ROOT_CONTEXT.setValue(KEY, 'span');
    const seen = await withLogContext({ requestId: 'r1' }, () =>
      sharedContextManager.with(traced, async () => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        return inBackground(async () => {
          await Promise.resolve();
          return withLogContext({ jobId: 7 }, async () => {
            await new Promise((resolve) => setImmediate(resolve));
            return { log: logContextFields(), background: isBackgroundWork(), value: sharedContextManager.active().getValue(KEY) };
          });
        });
      }),
    );
    expect(seen).toEqual({ log: { requestId: 'r1', jobId: 7 }, background: true, value: 'span' });
  });

  it('gives nothing outside any context, and a trace context set inside a log context ends with its work', async () => {
    expect(logContextFields()).toEqual({});
    expect(isBackgroundWork()).toBe(false);
    expect(sharedContextManager.active()).toBe(ROOT_CONTEXT);
    const after = withLogContext({ requestId: 'r2' }, () => {
      sharedContextManager.with(ROOT_CONTEXT.setValue(KEY, 'inner'), () => undefined);
      return { log: logContextFields(), value: sharedContextManager.active().getValue(KEY) };
    });
    expect(after).toEqual({ log: { requestId: 'r2' }, value: undefined });
  });

  it('binds a function to a trace context: it runs in it wherever it is called, keeping the caller\'s log fields', () => {
    const bound = sharedContextManager.bind(ROOT_CONTEXT.setValue(KEY, 'bound'), () => ({
      value: sharedContextManager.active().getValue(KEY),
      log: logContextFields(),
    }));
    expect(withLogContext({ requestId: 'r3' }, bound)).toEqual({ value: 'bound', log: { requestId: 'r3' } });
  });
});
