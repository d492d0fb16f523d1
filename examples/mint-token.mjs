// Mint an Integration.app customer access token for your own workspace (server side only: the
// secret never goes to a browser or an agent). jose: npm install jose
import { SignJWT } from 'jose';

const token = await new SignJWT({
  id: process.env.CUSTOMER_ID ?? 'customer-1', // your customer's id in your product
  name: process.env.CUSTOMER_NAME ?? 'Customer One', // shown in the Integration.app console
})
  .setProtectedHeader({ alg: 'HS256' })
  .setIssuer(process.env.INTEGRATION_APP_WORKSPACE_KEY) // iss: the workspace key
  .setIssuedAt()
  .setExpirationTime('2h')
  .sign(new TextEncoder().encode(process.env.INTEGRATION_APP_WORKSPACE_SECRET)); // HS256 with the workspace secret
console.log(token);
