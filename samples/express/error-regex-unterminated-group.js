// Meant: the two front ends.  The group is never closed: V8 refuses the
// regex literal, so node does not load the app at all (SyntaxError).
const express = require('express');
const cors = require('cors');

const app = express();

app.use(cors({
  origin: /^https:\/\/(app|admin\.example\.com$/, // expect: error
  credentials: true,
}));

app.get('/api/me', (req, res) => res.json({}));

app.listen(3000);
