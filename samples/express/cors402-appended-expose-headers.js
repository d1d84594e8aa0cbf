// Pagination middleware appends its own Expose-Headers line on top of cors'.
const express = require('express');
const cors = require('cors');

const app = express();

app.use(cors({ origin: 'https://app.example.com', exposedHeaders: ['ETag'] }));
app.use('/api', (req, res, next) => {
  res.append('Access-Control-Expose-Headers', 'X-Total-Count'); // expect: CORS402
  next();
});

app.get('/api/articles', (req, res) => res.json([]));

app.listen(3000);
